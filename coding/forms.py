"""Forms of text coding: people pick topics from lists in their own words."""

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import Topic

from .models import Text, TopicKeyword


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class QueueCodeForm(forms.Form):
    """Code one or several texts: a one-click button sends `one` = "text:topic"; the
    group form sends the ticked `texts` and the chosen `topic`."""

    MODE_CHOICES = [
        ("replace", _("Code to this topic (replaces the suggestion)")),
        ("add", _("Add this topic (keeps the topics already given)")),
    ]

    one = forms.RegexField(regex=r"^\d+:\d+$", required=False)
    none = forms.BooleanField(required=False)
    texts = forms.ModelMultipleChoiceField(queryset=Text.objects.none(), required=False)
    topic = TopicChoiceField(
        label=_("Topic"), queryset=Topic.objects.none(), required=False, empty_label=_("Choose…")
    )
    mode = forms.ChoiceField(choices=MODE_CHOICES, required=False, initial="replace")
    next = forms.CharField(required=False)

    def __init__(self, *args, texts=None, topics=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["texts"].queryset = texts if texts is not None else Text.objects.none()
        self.fields["topic"].queryset = topics if topics is not None else Topic.objects.none()

    def clean(self):
        data = super().clean()
        one = data.get("one")
        if one:
            text_id, topic_id = (int(x) for x in one.split(":"))
            text = self.fields["texts"].queryset.filter(pk=text_id).first()
            topic = self.fields["topic"].queryset.filter(pk=topic_id).first()
            if text is None or topic is None:
                raise forms.ValidationError(_("That text or topic is not available to you."))
            data["texts"], data["topic"] = [text], topic
            data["mode"] = "replace"
        else:
            if not data.get("texts"):
                raise forms.ValidationError(_("Tick the texts to code."))
            if data.get("none"):
                return data
            if data.get("topic") is None:
                raise forms.ValidationError(_("Choose the topic to code them to."))
        return data


class KeywordForm(forms.ModelForm):
    class Meta:
        model = TopicKeyword
        fields = ["phrase", "language"]
        widgets = {"phrase": forms.TextInput(attrs={"placeholder": _("e.g. drains fast, 续航")})}


KeywordFormSet = forms.formset_factory(KeywordForm, extra=3, can_delete=True, max_num=200)


class CandidateTopicForm(forms.Form):
    name = forms.CharField(label=_("Name of the new topic"), max_length=120)
    keywords = forms.MultipleChoiceField(
        label=_("Keywords (texts containing one are coded to the topic)"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    more = forms.CharField(
        label=_("More keywords, one per line"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, terms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keywords"].choices = [(t, t) for t in terms]
        self.fields["keywords"].initial = list(terms)

    def chosen_keywords(self) -> list[str]:
        extra = [line.strip() for line in self.cleaned_data.get("more", "").splitlines()]
        return [*self.cleaned_data.get("keywords", []), *[e for e in extra if e]]


class TextFilterForm(forms.Form):
    search = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("Source"), choices=[("", _("All sources")), *Text.Kind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *Text.Status.choices], required=False
    )
    topic = TopicChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.order_by("name"),
        required=False,
        empty_label=_("Any topic"),
    )
