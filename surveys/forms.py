"""Forms of the survey authoring pages. They validate input; services apply the rules."""

from __future__ import annotations

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from customers.models import Topic

from .models import AlertRule, Question, Survey, SurveyVersion


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "code", "purpose", "identity_mode", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class SurveyUpdateForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "purpose", "identity_mode", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.versions.filter(status=SurveyVersion.Status.PUBLISHED).exists():
            # Customers were told how their answers are used when they were invited.
            field = self.fields["identity_mode"]
            field.disabled = True
            field.help_text = _(
                "Locked: a version has been published and customers were told how their "
                "answers would be used. Create a new survey for a different identity mode."
            )


class IntroForm(forms.ModelForm):
    class Meta:
        model = SurveyVersion
        fields = ["intro_en", "intro_zh_hans"]
        widgets = {
            "intro_en": forms.Textarea(attrs={"rows": 2}),
            "intro_zh_hans": forms.Textarea(attrs={"rows": 2}),
        }


class QuestionForm(forms.ModelForm):
    """A question with its choices typed one per line:
    `code | English | 中文 | topic-code` (Chinese and topic optional)."""

    choices_text = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Choice, driver and multiple-choice questions: one choice per line as "
            "<code>code | English | 中文 | topic code</code>. Driver choices name a topic."
        ),
    )
    show_if_text = forms.CharField(
        label=_("Show only if the answer is one of"),
        required=False,
        help_text=_("Comma-separated values or choice codes, e.g. 0,1,2 or queue,price."),
    )

    class Meta:
        model = Question
        fields = [
            "code",
            "kind",
            "text_en",
            "text_zh_hans",
            "help_en",
            "help_zh_hans",
            "required",
            "scale_max",
            "low_label_en",
            "low_label_zh_hans",
            "high_label_en",
            "high_label_zh_hans",
            "show_if_question",
        ]

    def __init__(self, *args, version: SurveyVersion, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        earlier = version.questions.all()
        if self.instance.pk:
            earlier = earlier.filter(position__lt=self.instance.position)
            self.fields["choices_text"].initial = "\n".join(
                " | ".join(
                    [c.code, c.text_en, c.text_zh_hans, c.topic.slug if c.topic_id else ""]
                ).rstrip(" |")
                for c in self.instance.choices.select_related("topic")
            )
            self.fields["show_if_text"].initial = ",".join(
                str(v) for v in self.instance.show_if_values or []
            )
        self.fields["show_if_question"].queryset = earlier.order_by("position")
        self.fields["show_if_question"].required = False

    def clean_choices_text(self):
        text = self.cleaned_data.get("choices_text") or ""
        rows = []
        slugs = set()
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            code = slugify(parts[0])[:40]
            if not code or len(parts) < 2 or not parts[1]:
                raise forms.ValidationError(
                    _("Line %(n)s: write at least “code | English text”.") % {"n": number}
                )
            row = {
                "code": code,
                "text_en": parts[1],
                "text_zh_hans": parts[2] if len(parts) > 2 else "",
                "topic_slug": parts[3] if len(parts) > 3 else "",
            }
            if row["topic_slug"]:
                slugs.add(row["topic_slug"])
            rows.append(row)
        topics = {t.slug: t for t in Topic.objects.filter(slug__in=slugs)}
        for row in rows:
            slug = row.pop("topic_slug")
            if slug and slug not in topics:
                raise forms.ValidationError(_("There is no topic “%(slug)s”.") % {"slug": slug})
            row["topic"] = topics.get(slug)
        return rows

    def clean_show_if_text(self):
        text = self.cleaned_data.get("show_if_text") or ""
        values = []
        for part in text.split(","):
            part = part.strip()
            if not part:
                continue
            values.append(int(part) if part.lstrip("-").isdigit() else part)
        return values

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in Question.CHOICE_KINDS and len(data.get("choices_text") or []) < 2:
            self.add_error("choices_text", _("Give at least two choices."))
        if data.get("show_if_question") and not data.get("show_if_text"):
            self.add_error("show_if_text", _("List the answers that make this question appear."))
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        choices = data.pop("choices_text")
        data["show_if_values"] = data.pop("show_if_text")
        return {"choices": choices, **data}


class AlertRuleForm(forms.ModelForm):
    """An alert rule. The question and choice lists come from the survey's latest
    version; the service checks that they fit together (a score within the question's
    scale, a choice the question has)."""

    question_code = forms.ChoiceField(label=_("Question"))
    choice_code = forms.ChoiceField(
        label=_("Choice"),
        required=False,
        help_text=_("Only for “this choice is made”: the choice that opens a case."),
    )

    class Meta:
        model = AlertRule
        fields = [
            "question_code",
            "condition",
            "value",
            "choice_code",
            "deadline_hours",
            "is_active",
        ]
        help_texts = {
            "value": _(
                "Only for score conditions. Scales: NPS 0-10, CSAT 1-5, CES 1-7, rating 1 to "
                "its points. “At most 6” on NPS opens a case for 0 to 6."
            ),
        }

    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        codes = [(q.code, f"{q.code} — {q.text()}") for q in questions]
        current = self.instance.question_code if self.instance.pk else ""
        if current and current not in {q.code for q in questions}:
            codes.append((current, _("%(code)s (not in the latest version)") % {"code": current}))
        self.fields["question_code"].choices = [("", "---------"), *codes]
        groups = [
            (
                q.code,
                [(c.code, f"{c.code} — {c.text()}") for c in q.choices.all()],
            )
            for q in questions
            if q.has_choices
        ]
        choice_codes = {code for _label, options in groups for code, _text in options}
        if self.instance.choice_code and self.instance.choice_code not in choice_codes:
            groups.append((self.instance.choice_code, self.instance.choice_code))
        self.fields["choice_code"].choices = [("", "---------"), *groups]
        self.fields["deadline_hours"].widget.attrs.update(min=1, max=AlertRule.DEADLINE_MAX_HOURS)
