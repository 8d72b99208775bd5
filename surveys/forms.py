"""Forms of the survey authoring pages. They validate input; services apply the rules."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models import Topic

from .library import TEMPLATES
from .models import AlertRule, Question, Survey, SurveyVersion


class SurveyForm(forms.ModelForm):
    """A new survey: blank or from a template (library.TEMPLATES). The code that reports
    and exports use is made from the title; nobody types it."""

    template = forms.ChoiceField(
        label=_("Start from"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "A template brings standard questions in English and Chinese; change "
            "anything afterwards."
        ),
    )

    class Meta:
        model = Survey
        fields = [
            "template",
            "title",
            "title_zh_hans",
            "languages",
            "purpose",
            "identity_mode",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "title": _("Leave empty to use the template's title."),
            "description": _("For your colleagues; customers do not see it."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [
            ("", _("A blank survey")),
            *((key, f"{spec.name} — {spec.description}") for key, spec in TEMPLATES.items()),
        ]
        self.fields["title"].required = False
        self.fields["languages"].initial = Survey.Languages.BOTH

    def template_options(self) -> list[dict]:
        """The radio buttons of `template`, each with the purpose its template sets
        (the page's script selects it; the quality manager may change it)."""
        picked = self["template"].value() or ""
        return [
            {
                "value": value,
                "label": label,
                "purpose": TEMPLATES[value].purpose if value else "",
                "checked": value == picked,
                "id": f"id_template_{n}",
            }
            for n, (value, label) in enumerate(self.fields["template"].choices)
        ]

    def clean(self):
        data = super().clean()
        spec = TEMPLATES.get(data.get("template") or "")
        if spec is not None and not data.get("title"):
            data["title"] = spec.title_en
            if not data.get("title_zh_hans"):
                data["title_zh_hans"] = spec.title_zh_hans
        if not data.get("title"):
            self.add_error("title", _("Give the survey a title, or start from a template."))
        return data

    def _post_clean(self):
        # The service builds and validates the survey (its code comes from the title).
        pass


class SurveyUpdateForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "title_zh_hans", "languages", "purpose", "identity_mode", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["languages"].required = False
        if self.instance.versions.filter(status=SurveyVersion.Status.PUBLISHED).exists():
            # Customers were told how their answers are used when they were invited.
            field = self.fields["identity_mode"]
            field.disabled = True
            field.help_text = _(
                "Locked: a version has been published and customers were told how their "
                "answers would be used. Create a new survey for a different identity mode."
            )

    def clean_languages(self):
        return self.cleaned_data.get("languages") or self.instance.languages


class IntroForm(forms.ModelForm):
    class Meta:
        model = SurveyVersion
        fields = ["intro_en", "intro_zh_hans"]
        widgets = {
            "intro_en": forms.Textarea(attrs={"rows": 2}),
            "intro_zh_hans": forms.Textarea(attrs={"rows": 2}),
        }


class VersionTextsForm(forms.Form):
    """Everything the customer reads besides the questions, side by side in English and
    Chinese: the survey's title, and the version's introduction, thank-you text and
    invitation and reminder e-mails."""

    ROWS = (
        ("title", _("Survey title"), False),
        ("intro", _("Introduction"), True),
        ("thanks", _("Thank-you text"), True),
        ("invitation_subject", _("Invitation e-mail subject"), False),
        ("invitation_body", _("Invitation e-mail message (above the personal link)"), True),
        ("reminder_subject", _("Reminder e-mail subject"), False),
        ("reminder_body", _("Reminder e-mail message (above the personal link)"), True),
    )
    LANGUAGE_LABELS = {"en": _("English"), "zh_hans": _("Simplified Chinese")}

    languages = forms.ChoiceField(label=_("Sent in"), choices=Survey.Languages.choices)

    def __init__(self, *args, version: SurveyVersion, **kwargs):
        survey = version.survey
        kwargs.pop("initial", None)
        initial = {"languages": survey.languages, "title_en": survey.title}
        initial["title_zh_hans"] = survey.title_zh_hans
        for name in SurveyVersion.CUSTOMER_TEXTS:
            for suffix in ("en", "zh_hans"):
                initial[f"{name}_{suffix}"] = getattr(version, f"{name}_{suffix}")
        super().__init__(*args, initial=initial, **kwargs)
        for name, _label, long in self.ROWS:
            for suffix, language in self.LANGUAGE_LABELS.items():
                widget = (
                    forms.Textarea(attrs={"rows": 3})
                    if long
                    else forms.TextInput(attrs={"maxlength": 200})
                )
                if suffix == "zh_hans":
                    widget.attrs["lang"] = "zh-hans"
                self.fields[f"{name}_{suffix}"] = forms.CharField(
                    label=language,  # the fieldset's legend names the text
                    required=name == "title" and suffix == "en",
                    max_length=None if long else 200,
                    widget=widget,
                )

    def rows(self):
        """(label, English field, Chinese field) for the template's two columns."""
        return [
            (label, self[f"{name}_en"], self[f"{name}_zh_hans"]) for name, label, _long in self.ROWS
        ]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["title"] = data.pop("title_en")
        return data


def _quiet(form) -> None:
    """Show a bound form's input without judging it (a row was added or moved: the
    user has not asked to save yet)."""
    from django.forms.utils import ErrorDict, ErrorList

    if hasattr(form, "forms"):  # a formset
        form._non_form_errors = ErrorList()
        form._errors = []
        for sub in form.forms:
            _quiet(sub)
        return
    form._errors = ErrorDict()
    form.cleaned_data = {}


class ChoiceRowForm(forms.Form):
    """One answer option of a choice or driver question. Its code (what reports,
    show-if conditions and alert rules keep) travels hidden; a new row gets one from its
    English label."""

    code = forms.SlugField(required=False, widget=forms.HiddenInput)
    text_en = forms.CharField(label=_("Label (English)"), max_length=200, required=False)
    text_zh_hans = forms.CharField(
        label=_("Label (Simplified Chinese)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"lang": "zh-hans"}),
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.none(),
        required=False,
        empty_label=_("— no topic —"),
    )

    def __init__(self, *args, topics=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = topics if topics is not None else Topic.objects.none()

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not (data.get("text_en") or data.get("text_zh_hans"))


ChoiceFormSet = forms.formset_factory(ChoiceRowForm, extra=0, max_num=40, validate_max=True)

ROW_ACTIONS = ("add", "remove", "up", "down")


class QuestionForm(forms.ModelForm):
    """A question: the fields of its type (the page shows only those, see
    `field_kinds`), its choices as rows (`self.choices`, a formset) and the show-if
    condition picked from earlier questions and their answers."""

    show_if_values = forms.MultipleChoiceField(
        label=_("…is one of these answers"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    # Which types show which fields (the page hides the others; the form ignores them).
    SCALE_FIELDS = ("low_label_en", "low_label_zh_hans", "high_label_en", "high_label_zh_hans")
    field_kinds = {
        "scale_max": (Question.Kind.RATING,),
        **dict.fromkeys(SCALE_FIELDS, Question.SCALE_KINDS),
    }

    class Meta:
        model = Question
        fields = [
            "kind",
            "text_en",
            "text_zh_hans",
            "help_en",
            "help_zh_hans",
            "required",
            "multi_select",
            "scale_max",
            "low_label_en",
            "low_label_zh_hans",
            "high_label_en",
            "high_label_zh_hans",
            "show_if_question",
        ]
        labels = {"show_if_question": _("Show this question only if the answer to")}
        widgets = {
            "text_zh_hans": forms.TextInput(attrs={"lang": "zh-hans"}),
            "help_zh_hans": forms.TextInput(attrs={"lang": "zh-hans"}),
            "low_label_zh_hans": forms.TextInput(attrs={"lang": "zh-hans"}),
            "high_label_zh_hans": forms.TextInput(attrs={"lang": "zh-hans"}),
        }

    def __init__(self, *args, version: SurveyVersion, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        earlier = version.questions.exclude(kind=Question.Kind.TEXT).prefetch_related("choices")
        if self.instance.pk:
            earlier = earlier.filter(position__lt=self.instance.position)
        self.earlier = list(earlier.order_by("position", "id"))
        field = self.fields["show_if_question"]
        field.queryset = version.questions.filter(pk__in=[q.pk for q in self.earlier])
        field.required = False
        field.empty_label = _("— always show —")
        field.label_from_instance = lambda q: q.text()
        self.fields["show_if_values"].choices = [
            (q.text(), [(f"{q.pk}:{value}", label) for value, label in answer_options(q)])
            for q in self.earlier
        ]
        self.fields["scale_max"].widget.attrs.update(min=2, max=11)
        if self.instance.pk and self.instance.show_if_question_id:
            self.initial["show_if_values"] = [
                f"{self.instance.show_if_question_id}:{v}" for v in self.instance.show_if_values
            ]
        topics = Topic.objects.filter(is_active=True).order_by("name")
        if self.instance.pk:
            rows = [
                {
                    "code": c.code,
                    "text_en": c.text_en,
                    "text_zh_hans": c.text_zh_hans,
                    "topic": c.topic_id,
                }
                for c in self.instance.choices.all()
            ]
            if rows:
                topics = Topic.objects.filter(
                    Q(is_active=True) | Q(pk__in=[r["topic"] for r in rows if r["topic"]])
                ).order_by("name")
        else:
            rows = [{}, {}, {}]
        self.row_action = ""
        data = self.data if self.is_bound else None
        if data is not None and data.get("row_action"):
            data = self._apply_row_action(data, data["row_action"])
        self.choices = ChoiceFormSet(
            data,
            initial=None if data is not None else rows,
            prefix="choices",
            form_kwargs={"topics": topics},
        )
        if self.row_action:
            self.data = data
            _quiet(self)
            _quiet(self.choices)

    def show_if_groups(self) -> list[dict]:
        """The answers of each earlier question, for the show-if checkboxes (the page
        shows only the group of the question picked above them)."""
        if self.is_bound:
            picked = set(self.data.getlist("show_if_values"))
        else:
            picked = {str(v) for v in self.initial.get("show_if_values", [])}
        return [
            {
                "question": q,
                "options": [
                    {
                        "value": f"{q.pk}:{value}",
                        "label": label,
                        "checked": f"{q.pk}:{value}" in picked,
                    }
                    for value, label in answer_options(q)
                ],
            }
            for q in self.earlier
        ]

    def _apply_row_action(self, data, action: str):
        """Add, remove or move a choice row without JavaScript: the page comes back
        with the rows changed and nothing saved."""
        name, _sep, index = action.partition("-")
        if name not in ROW_ACTIONS:
            return data
        prefix = "choices"
        try:
            total = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
        except ValueError:
            return data
        fields = ("code", "text_en", "text_zh_hans", "topic")
        rows = [
            {f: data.get(f"{prefix}-{i}-{f}", "") for f in fields} for i in range(min(total, 40))
        ]
        i = int(index) if index.isdigit() else -1
        if name == "add":
            rows.append(dict.fromkeys(fields, ""))
        elif name == "remove" and 0 <= i < len(rows):
            rows.pop(i)
        elif name == "up" and 0 < i < len(rows):
            rows[i - 1], rows[i] = rows[i], rows[i - 1]
        elif name == "down" and 0 <= i < len(rows) - 1:
            rows[i], rows[i + 1] = rows[i + 1], rows[i]
        new = data.copy()
        for key in list(new):
            if key.startswith(f"{prefix}-") and key.split("-")[1].isdigit():
                del new[key]
        for n, row in enumerate(rows):
            for f in fields:
                new[f"{prefix}-{n}-{f}"] = row[f]
        new[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        new[f"{prefix}-INITIAL_FORMS"] = "0"
        self.row_action = action
        return new

    def is_valid(self):
        if self.row_action:
            return False
        valid = super().is_valid()
        return self.choices.is_valid() and valid

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        for name, kinds in self.field_kinds.items():
            if kind not in kinds:
                data[name] = self.initial.get(name) or ("" if name != "scale_max" else 5)
        if kind != Question.Kind.DRIVER:
            # Several answers is a driver question's option (multiple choice always has it).
            data["multi_select"] = False
        if kind in Question.CHOICE_KINDS and self.choices.is_valid():
            rows = self._choice_rows()
            if any(not row["text_en"] for row in rows):
                self.add_error(None, _("Each choice needs an English label."))
            if len(rows) < 2:
                self.add_error(None, _("Give at least two choices."))
        source = data.get("show_if_question")
        picked = data.get("show_if_values") or []
        if source is None:
            data["show_if_values"] = []
        else:
            options = {f"{source.pk}:{value}": value for value, _label in answer_options(source)}
            values = [options[v] for v in picked if v in options]
            if not values:
                self.add_error(
                    "show_if_values",
                    _("Tick the answers to “%(question)s” that make this question appear.")
                    % {"question": source.text()},
                )
            data["show_if_values"] = values
        return data

    def _choice_rows(self) -> list[dict]:
        return [
            {
                "code": form.cleaned_data.get("code", ""),
                "text_en": form.cleaned_data.get("text_en", ""),
                "text_zh_hans": form.cleaned_data.get("text_zh_hans", ""),
                "topic": form.cleaned_data.get("topic"),
            }
            for form in self.choices.forms
            if not form.is_blank
        ]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        choices = self._choice_rows() if data.get("kind") in Question.CHOICE_KINDS else []
        return {"choices": choices, **data}


def answer_options(question: Question) -> list[tuple]:
    """The answers a show-if condition can name, as (value, label): each point of a
    scale (its end labels beside the ends), yes/no of a consent, each choice."""
    if question.has_choices:
        return [(c.code, c.text()) for c in question.choices.all()]
    if question.kind == Question.Kind.CONSENT:
        return [(1, _("Yes")), (0, _("No"))]
    low, high = question.scale_range
    options = []
    for value in range(low, high + 1):
        label = str(value)
        if value == low and question.low_label():
            label = f"{value} — {question.low_label()}"
        elif value == high and question.high_label():
            label = f"{value} — {question.high_label()}"
        options.append((value, label))
    return options


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
        # Questions and choices in their own words, in the user's language; the codes
        # stay behind the scenes as the options' values.
        codes = [(q.code, q.text() or q.get_kind_display()) for q in questions]
        current = self.instance.question_code if self.instance.pk else ""
        if current and current not in {q.code for q in questions}:
            codes.append((current, _("A question no longer in the survey")))
        self.fields["question_code"].choices = [("", "---------"), *codes]
        groups = [
            (q.text() or q.get_kind_display(), [(c.code, c.text()) for c in q.choices.all()])
            for q in questions
            if q.has_choices
        ]
        choice_codes = {code for _label, options in groups for code, _text in options}
        if self.instance.choice_code and self.instance.choice_code not in choice_codes:
            groups.append(
                (
                    _("No longer in the survey"),
                    [(self.instance.choice_code, _("A choice no longer in the survey"))],
                )
            )
        self.fields["choice_code"].choices = [("", "---------"), *groups]
        self.fields["deadline_hours"].widget.attrs.update(min=1, max=AlertRule.DEADLINE_MAX_HOURS)
