"""The satisfaction metrics, registered in `SatisfactionConfig.ready()`. Objectives and
effectiveness checks read them through `qms.registry.registry`."""

from django.utils.translation import gettext_lazy as _

from qms.registry import (
    NOTHING_SKIPPED,
    PERIOD_SNAPSHOT,
    SEGMENT_AT_EVENT,
    SEGMENT_NONE,
    Definition,
    Direction,
    param_kinds,
    registry,
)

from . import analysis

SCORE_PARAMETERS = ("survey", "question_code", "segment")

SUBMITTED_DAY = _(
    "By the day the response was submitted in the organisation's time zone (TIME_ZONE), "
    "for tallied and fresh answers alike."
)
SKIPPED_ANSWERS = _(
    "A skipped question has no answer and is left out of the base; a response started and "
    "never submitted counts nowhere."
)


def _driver_words(names) -> str:
    """“Share of dissatisfied customers naming Check-in wait, Hotel stay pulse”."""
    if names.get("topic"):
        text = _("Share of dissatisfied customers naming %(topic)s") % {"topic": names["topic"]}
    else:
        text = str(_("Share of dissatisfied customers naming their top driver"))
    extra = [names[k] for k in ("survey", "question_code", "segment") if names.get(k)]
    return ", ".join([text, *extra])


def _surveys():
    from surveys.models import Survey

    return list(Survey.objects.order_by("title").values_list("code", "title"))


def _survey_label(value) -> str:
    from surveys.models import Survey

    key = {"pk": int(value)} if str(value).isdigit() else {"code": value}
    return Survey.objects.filter(**key).values_list("title", flat=True).first() or str(value)


def _questions():
    """Each question code once, named by the wording of its newest version and its
    survey: “How likely are you to recommend us? (Hotel stay pulse)”."""
    from surveys.models import Question

    seen: dict[str, str] = {}
    rows = Question.objects.order_by("-version__number", "-id").values_list(
        "code", "text_en", "version__survey__title"
    )
    for code, text, survey in rows:
        if code not in seen:
            seen[code] = f"{text} ({survey})"
    return sorted(seen.items(), key=lambda item: item[1].lower())


def _question_label(value) -> str:
    from surveys.models import Question

    text = (
        Question.objects.filter(code=value)
        .order_by("-version__number", "-id")
        .values_list("text_en", flat=True)
        .first()
    )
    return text or str(value)


def register_param_kinds():
    param_kinds.add("survey", choices=_surveys, label=_survey_label)
    param_kinds.add("question", choices=_questions, label=_question_label)


def register():
    register_param_kinds()
    registry.register(
        key="nps",
        definition=Definition(
            counted=_(
                "Answers of 9-10 (promoters) minus answers of 0-6 (detractors), as points of the "
                "answers (-100 to 100)."
            ),
            base=_(
                "Answers given to NPS questions in the period (with a question: that question)."
            ),
            period=SUBMITTED_DAY,
            segment=SEGMENT_AT_EVENT,
            skipped=SKIPPED_ANSWERS,
        ),
        label=_("Net Promoter Score"),
        unit="",
        direction=Direction.HIGHER_IS_BETTER,
        compute=analysis.metric_nps,
        monthly=analysis.monthly_nps,
        description=_("Promoters (9-10) minus detractors (0-6), in points, over answers given."),
        parameters=SCORE_PARAMETERS,
        app_label="satisfaction",
    )
    registry.register(
        key="csat",
        definition=Definition(
            counted=_("Answers of 4 or 5 on the 5-point satisfaction scale."),
            base=_(
                "Answers given to CSAT questions in the period (with a question: that question)."
            ),
            period=SUBMITTED_DAY,
            segment=SEGMENT_AT_EVENT,
            skipped=SKIPPED_ANSWERS,
        ),
        label=_("Customer satisfaction (CSAT)"),
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=analysis.metric_csat,
        monthly=analysis.monthly_csat,
        description=_("Share of satisfaction answers of 4 or 5 on the 5-point scale."),
        parameters=SCORE_PARAMETERS,
        app_label="satisfaction",
    )
    registry.register(
        key="ces",
        definition=Definition(
            counted=_(
                "The mean answer on the 7-point effort scale (7 = very easy); the detail gives the"
                " share of 5-7."
            ),
            base=_(
                "Answers given to CES questions in the period (with a question: that question)."
            ),
            period=SUBMITTED_DAY,
            segment=SEGMENT_AT_EVENT,
            skipped=SKIPPED_ANSWERS,
        ),
        label=_("Customer effort score (CES)"),
        unit="",
        direction=Direction.HIGHER_IS_BETTER,
        compute=analysis.metric_ces,
        monthly=analysis.monthly_ces,
        description=_("Mean on the 7-point scale (7 = very easy); detail has the share 5-7."),
        parameters=SCORE_PARAMETERS,
        app_label="satisfaction",
    )
    registry.register(
        key="response_rate",
        definition=Definition(
            counted=_("Invitations completed (a response submitted)."),
            base=_(
                "Invitations sent in the period; suppressed, failed and not yet sent ones are left"
                " out."
            ),
            period=_(
                "By the day the invitation was sent in the organisation's time zone (TIME_ZONE), "
                "even when it was answered later."
            ),
            segment=_("The segment the customer was in when invited (kept on the invitation)."),
            skipped=_("A response started and not submitted is not completed."),
        ),
        label=_("Survey response rate"),
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=analysis.metric_response_rate,
        description=_("Completed invitations among those sent in the period."),
        parameters=("survey", "segment"),
        app_label="satisfaction",
    )
    registry.register(
        key="driver_share",
        definition=Definition(
            counted=_(
                "Dissatisfied respondents who named the topic in a driver question; on a question "
                "that allows several answers each respondent counts once for each choice they "
                "pick, so the shares of all topics can add up to more than 100 percent."
            ),
            base=_(
                "Dissatisfied respondents (NPS 0-6 or CSAT 1-3) who submitted a response in the "
                "period, whether or not they answered the driver question."
            ),
            period=SUBMITTED_DAY,
            segment=SEGMENT_AT_EVENT,
            skipped=_(
                "A dissatisfied respondent who skipped the driver question stays in the base and "
                "names nothing."
            ),
        ),
        label=_("Share of dissatisfied customers naming a driver"),
        unit="%",
        direction=Direction.LOWER_IS_BETTER,
        compute=analysis.metric_driver_share,
        describe=_driver_words,
        description=_(
            "Among dissatisfied respondents (NPS 0-6 or CSAT 1-3), the share naming the topic."
        ),
        parameters=("survey", "question_code", "segment", "topic"),
        app_label="satisfaction",
    )
    registry.register(
        key="follow_up_on_time_rate",
        definition=Definition(
            counted=_("Follow-up cases closed (resolved or no action needed) by their deadline."),
            base=_(
                "Follow-up cases whose deadline falls in the period and has passed, or that are "
                "closed."
            ),
            period=_(
                "By the day of the case's deadline in the organisation's time zone (TIME_ZONE)."
            ),
            segment=SEGMENT_NONE,
            skipped=_("Cases still open before their deadline are not counted yet."),
        ),
        label=_("Follow-ups closed on time"),
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=analysis.metric_follow_up_on_time_rate,
        description=_("Follow-up cases due in the period that were closed by their deadline."),
        parameters=("survey",),
        app_label="satisfaction",
    )
    registry.register(
        key="follow_ups_overdue",
        definition=Definition(
            counted=_("Follow-up cases still open (new or contacted) past their deadline now."),
            base=_("Open follow-up cases (n)."),
            period=PERIOD_SNAPSHOT,
            segment=SEGMENT_NONE,
            skipped=NOTHING_SKIPPED,
        ),
        label=_("Overdue follow-up cases"),
        unit=_("cases"),
        direction=Direction.LOWER_IS_BETTER,
        compute=analysis.metric_follow_ups_overdue,
        description=_("Detractor follow-up cases still open past their deadline."),
        parameters=("survey",),
        app_label="satisfaction",
    )
