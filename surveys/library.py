"""The question library and the survey templates: standard, tested wording in English and
Simplified Chinese, kept in code so every portal starts with the same good questions.

- `QUESTIONS`: one-click questions of the builder (NPS, CSAT, CES, driver, consent,
  comment). The wording follows the usual published forms of each measure (NPS: "How
  likely are you to recommend…", CES: "…made it easy…", agree/disagree on 1-7).
- `TEMPLATES`: whole surveys to start from (hotel stay, restaurant visit, after-sales
  service, retail purchase, B2B relationship): title, introduction, questions, driver
  choices with the topic each names.
- `standard_texts(title_en, title_zh)`: the thank-you text and the invitation and
  reminder e-mails a new survey starts with.

These are customer-facing content in both languages, not interface strings: they are
plain literals, not gettext, and the quality manager edits them in the builder.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ChoiceSpec:
    text_en: str
    text_zh_hans: str
    topic_slug: str = ""
    topic_name: str = ""


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    name: object  # a lazy interface label ("Net Promoter Score")
    kind: str
    text_en: str
    text_zh_hans: str
    required: bool = False
    help_en: str = ""
    help_zh_hans: str = ""
    low_label_en: str = ""
    low_label_zh_hans: str = ""
    high_label_en: str = ""
    high_label_zh_hans: str = ""
    scale_max: int = 5
    choices: tuple[ChoiceSpec, ...] = ()
    # A driver question shows itself to dissatisfied customers only: it reads the
    # first NPS or CSAT question above it.
    show_to_unhappy: bool = False


GENERIC_DRIVERS = (
    ChoiceSpec("Waiting time", "等候时间", "waiting-time", "Waiting time"),
    ChoiceSpec("Staff attitude", "服务态度", "staff-attitude", "Staff attitude"),
    ChoiceSpec("Quality of the product or service", "产品或服务质量", "quality", "Quality"),
    ChoiceSpec("Price", "价格", "price", "Price"),
    ChoiceSpec("Cleanliness", "卫生", "cleanliness", "Cleanliness"),
)

QUESTIONS: dict[str, QuestionSpec] = {
    spec.key: spec
    for spec in (
        QuestionSpec(
            key="nps",
            name=_("Net Promoter Score (would you recommend us?)"),
            kind="nps",
            text_en="How likely are you to recommend us to a friend or colleague?",
            text_zh_hans="您向朋友或同事推荐我们的可能性有多大？",
            required=True,
            low_label_en="Not at all likely",
            low_label_zh_hans="完全不可能",
            high_label_en="Extremely likely",
            high_label_zh_hans="非常可能",
        ),
        QuestionSpec(
            key="csat",
            name=_("Satisfaction (CSAT)"),
            kind="csat",
            text_en="Overall, how satisfied are you with your experience?",
            text_zh_hans="总体而言，您对本次体验的满意程度如何？",
            required=True,
            low_label_en="Very dissatisfied",
            low_label_zh_hans="非常不满意",
            high_label_en="Very satisfied",
            high_label_zh_hans="非常满意",
        ),
        QuestionSpec(
            key="ces",
            name=_("Customer effort (CES)"),
            kind="ces",
            text_en="The company made it easy for me to handle my issue.",
            text_zh_hans="该公司让我很容易地处理了我的问题。",
            help_en="How much do you agree with this statement?",
            help_zh_hans="您在多大程度上同意这一说法？",
            low_label_en="Strongly disagree",
            low_label_zh_hans="非常不同意",
            high_label_en="Strongly agree",
            high_label_zh_hans="非常同意",
        ),
        QuestionSpec(
            key="driver",
            name=_("Driver (what disappointed you most?)"),
            kind="driver",
            text_en="What disappointed you most?",
            text_zh_hans="最让您失望的是什么？",
            help_en="Choose the one that mattered most to you.",
            help_zh_hans="请选择对您影响最大的一项。",
            choices=GENERIC_DRIVERS,
            show_to_unhappy=True,
        ),
        QuestionSpec(
            key="consent",
            name=_("Consent to be contacted"),
            kind="consent",
            text_en="May we contact you about your answers?",
            text_zh_hans="我们可以就您的回答与您联系吗？",
        ),
        QuestionSpec(
            key="comment",
            name=_("Open comment"),
            kind="text",
            text_en="Is there anything else you would like to tell us?",
            text_zh_hans="您还有其他想告诉我们的吗？",
        ),
    )
}


@dataclass(frozen=True)
class TemplateSpec:
    key: str
    name: object
    description: object
    title_en: str
    title_zh_hans: str
    purpose: str
    intro_en: str
    intro_zh_hans: str
    # Library keys, with replacement wording: (key, {field: text}).
    questions: tuple[tuple[str, dict], ...] = field(default_factory=tuple)


def _q(key, **overrides):
    return (key, overrides)


TEMPLATES: dict[str, TemplateSpec] = {
    spec.key: spec
    for spec in (
        TemplateSpec(
            key="hotel-stay",
            name=_("Hotel stay"),
            description=_("After check-out: recommendation, ease of the stay, what went wrong."),
            title_en="Your stay with us",
            title_zh_hans="您的入住体验",
            purpose="transactional",
            intro_en="Thank you for staying with us. Two minutes of your time helps us improve.",
            intro_zh_hans="感谢您的入住。只需两分钟，帮助我们做得更好。",
            questions=(
                _q("nps"),
                _q(
                    "ces",
                    text_en="Checking in and out was easy.",
                    text_zh_hans="办理入住和退房很方便。",
                ),
                _q(
                    "driver",
                    choices=(
                        ChoiceSpec(
                            "Waiting at check-in",
                            "入住等候",
                            "check-in-wait",
                            "Check-in waiting time",
                        ),
                        ChoiceSpec("Noise in the room", "房间噪音", "room-noise", "Room noise"),
                        ChoiceSpec("Room cleanliness", "房间卫生", "cleanliness", "Cleanliness"),
                        ChoiceSpec(
                            "Staff attitude", "服务态度", "staff-attitude", "Staff attitude"
                        ),
                        ChoiceSpec("Price", "价格", "price", "Price"),
                    ),
                ),
                _q("consent"),
                _q("comment"),
            ),
        ),
        TemplateSpec(
            key="restaurant-visit",
            name=_("Restaurant visit"),
            description=_("After a meal: recommendation, satisfaction, what disappointed."),
            title_en="Your visit to our restaurant",
            title_zh_hans="您的用餐体验",
            purpose="transactional",
            intro_en="Thank you for dining with us. Two minutes of your time helps us improve.",
            intro_zh_hans="感谢您的光临。只需两分钟，帮助我们做得更好。",
            questions=(
                _q("nps"),
                _q(
                    "csat",
                    text_en="Overall, how satisfied are you with your meal?",
                    text_zh_hans="总体而言，您对本次用餐的满意程度如何？",
                ),
                _q(
                    "driver",
                    choices=(
                        ChoiceSpec(
                            "Waiting for a table", "排队等位时间", "queue-time", "Queue time"
                        ),
                        ChoiceSpec("Food quality", "菜品质量", "food-quality", "Food quality"),
                        ChoiceSpec(
                            "Staff attitude", "服务态度", "staff-attitude", "Staff attitude"
                        ),
                        ChoiceSpec("Price", "价格", "price", "Price"),
                        ChoiceSpec("Cleanliness", "卫生", "cleanliness", "Cleanliness"),
                    ),
                ),
                _q("consent"),
                _q("comment"),
            ),
        ),
        TemplateSpec(
            key="after-sales",
            name=_("After-sales service"),
            description=_("After a repair or a support request: effort, satisfaction, causes."),
            title_en="Your recent service request",
            title_zh_hans="您最近的服务请求",
            purpose="transactional",
            intro_en="We recently handled a service request for you. How did we do?",
            intro_zh_hans="我们最近为您处理了一项服务请求。您对我们的表现满意吗？",
            questions=(
                _q("ces"),
                _q(
                    "csat",
                    text_en="Overall, how satisfied are you with how we handled your request?",
                    text_zh_hans="总体而言，您对我们处理您请求的方式满意吗？",
                ),
                _q(
                    "driver",
                    choices=(
                        ChoiceSpec(
                            "Time to resolve", "解决所需时间", "resolution-time", "Resolution time"
                        ),
                        ChoiceSpec(
                            "Repair quality", "维修质量", "repair-quality", "Repair quality"
                        ),
                        ChoiceSpec(
                            "Keeping me informed", "进度沟通", "communication", "Communication"
                        ),
                        ChoiceSpec(
                            "Staff attitude", "服务态度", "staff-attitude", "Staff attitude"
                        ),
                        ChoiceSpec("Cost", "费用", "price", "Price"),
                    ),
                ),
                _q("consent"),
                _q("comment"),
            ),
        ),
        TemplateSpec(
            key="retail-purchase",
            name=_("Retail purchase"),
            description=_("After a purchase in a shop: satisfaction and what disappointed."),
            title_en="Your shopping experience",
            title_zh_hans="您的购物体验",
            purpose="transactional",
            intro_en="How was your visit to our store?",
            intro_zh_hans="您对本次购物满意吗？",
            questions=(
                _q(
                    "csat",
                    text_en="Overall, how satisfied are you with your shopping experience?",
                    text_zh_hans="总体而言，您对本次购物体验的满意程度如何？",
                ),
                _q(
                    "driver",
                    choices=(
                        ChoiceSpec(
                            "Checkout waiting time",
                            "结账等候时间",
                            "checkout-wait",
                            "Checkout waiting time",
                        ),
                        ChoiceSpec(
                            "Product availability",
                            "商品供应",
                            "availability",
                            "Product availability",
                        ),
                        ChoiceSpec("Store cleanliness", "店内卫生", "cleanliness", "Cleanliness"),
                        ChoiceSpec(
                            "Staff friendliness", "员工友好程度", "staff-attitude", "Staff attitude"
                        ),
                        ChoiceSpec("Price", "价格", "price", "Price"),
                    ),
                ),
                _q("nps"),
                _q("comment"),
            ),
        ),
        TemplateSpec(
            key="b2b-relationship",
            name=_("B2B relationship"),
            description=_("Once or twice a year to business customers: loyalty and its drivers."),
            title_en="Our partnership: your feedback",
            title_zh_hans="我们的合作：您的反馈",
            purpose="relationship",
            intro_en=(
                "Your view of working with us guides our priorities for the coming year. "
                "The survey takes about three minutes."
            ),
            intro_zh_hans="您对与我们合作的看法将指导我们来年的工作重点。本调查大约需要三分钟。",
            questions=(
                _q("nps"),
                _q(
                    "driver",
                    text_en="Where should we improve first?",
                    text_zh_hans="我们最应该首先改进哪一方面？",
                    choices=(
                        ChoiceSpec("Product quality", "产品质量", "quality", "Quality"),
                        ChoiceSpec(
                            "Delivery on time", "准时交付", "on-time-delivery", "On-time delivery"
                        ),
                        ChoiceSpec(
                            "Responsiveness of our team",
                            "团队响应速度",
                            "responsiveness",
                            "Responsiveness",
                        ),
                        ChoiceSpec(
                            "Technical support",
                            "技术支持",
                            "technical-support",
                            "Technical support",
                        ),
                        ChoiceSpec("Pricing and terms", "价格与条款", "price", "Price"),
                    ),
                ),
                _q(
                    "ces",
                    text_en="Doing business with us is easy.",
                    text_zh_hans="与我们开展业务很容易。",
                ),
                _q("consent"),
                _q("comment"),
            ),
        ),
    )
}


def template_questions(template: TemplateSpec) -> list[QuestionSpec]:
    """The template's questions: library questions with the template's wording."""
    from dataclasses import replace

    return [replace(QUESTIONS[key], **overrides) for key, overrides in template.questions]


def standard_texts(title_en: str, title_zh_hans: str = "") -> dict[str, str]:
    """The thank-you text and e-mail texts a new survey starts with, both languages."""
    title_zh_hans = title_zh_hans or title_en
    return {
        "thanks_en": "Thank you! Your answers have been received. They help us improve.",
        "thanks_zh_hans": "谢谢！我们已收到您的回答，这将帮助我们做得更好。",
        "invitation_subject_en": f"{title_en}: tell us how we did",
        "invitation_subject_zh_hans": f"{title_zh_hans}：请告诉我们您的感受",
        "invitation_body_en": ("We would value your opinion. The survey takes about two minutes."),
        "invitation_body_zh_hans": "我们非常重视您的意见。本调查大约需要两分钟。",
        "reminder_subject_en": f"Reminder: {title_en}",
        "reminder_subject_zh_hans": f"提醒：{title_zh_hans}",
        "reminder_body_en": "A short reminder: your answers help us improve.",
        "reminder_body_zh_hans": "温馨提醒：您的回答将帮助我们改进。",
    }
