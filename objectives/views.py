"""Pages of quality objectives. Views validate with forms and call services; the rules
live in services and selectors."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from qms.models import Department
from qms.permissions import ViewAllRequiredMixin
from qms.redirects import safe_next_url
from qms.selectors import department_ids_for_user, headed_department_ids
from qms.ui.views import (
    FilteredListView,
    FilterMixin,
    ServiceActionView,
    ServiceFormView,
    page_context,
)

from . import selectors, services
from .forms import (
    AnalysisForm,
    CheckInForm,
    KeyResultForm,
    ObjectiveForm,
    PeriodCloseForm,
    PeriodFilterForm,
)
from .models import KeyResult, Objective


class ScopeRequiredMixin(LoginRequiredMixin):
    """Objectives are for people with a scope: an organisation role or a department."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (user.can_view_all or department_ids_for_user(user)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class PeriodFilterMixin(FilterMixin):
    """The period (and, with `with_departments`, department) filter of the objective
    pages; no period chosen, or an unknown one, is the default period."""

    filter_form_class = PeriodFilterForm
    with_departments = False

    def get_filter_data(self):
        data = self.request.GET.copy()
        data.setdefault("period", selectors.default_period_label())
        return data

    def get_filter_form_kwargs(self):
        departments = None
        if self.with_departments:
            departments = Department.objects.order_by("name")
            if not self.request.user.can_view_all:
                departments = departments.filter(id__in=department_ids_for_user(self.request.user))
        return {"periods": selectors.period_labels(), "departments": departments}

    def get_filters(self, data):
        return {
            "period": data["period"] or selectors.default_period_label(),
            "department": data.get("department"),
        }

    def filters_invalid(self, form):
        return {"period": selectors.default_period_label(), "department": None}


class ObjectiveCascadeView(ScopeRequiredMixin, PeriodFilterMixin, TemplateView):
    """Organisation objectives of a period with their department objectives beneath."""

    template_name = "objectives/cascade.html"
    with_departments = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period, department = self.filters["period"], self.filters["department"]
        tree = selectors.cascade(
            user=self.request.user,
            period_label=period,
            department_id=department.pk if department else None,
            page_number=self.request.GET.get("page") or 1,
        )
        user = self.request.user
        context.update(
            period=period,
            department=department,
            roots=tree.roots,
            object_list=tree.roots,
            page_obj=tree.page_obj,
            is_paginated=tree.is_paginated,
            can_create_organisation=user.is_quality_manager,
            can_create_department=user.is_quality_manager or bool(headed_department_ids(user)),
        )
        return context


class ObjectiveMineView(LoginRequiredMixin, FilteredListView):
    """A department head's (or staff member's) objectives, with a quick check-in form."""

    template_name = "objectives/mine.html"
    paginate_by = 20
    lenient_pages = True

    def get_list(self):
        return selectors.my_objectives(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        objectives = selectors.decorate_my_objectives(
            context["page_obj"].object_list, user=self.request.user
        )
        for objective in objectives:
            for kr in objective.kr_list:
                kr.checkin_form = (
                    CheckInForm(prefix=f"kr{kr.pk}")
                    if objective.can_check_in and not kr.is_computed
                    else None
                )
        context["objectives"] = objectives
        return context


class ObjectiveDetailView(ScopeRequiredMixin, TemplateView):
    template_name = "objectives/objective_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        objective = selectors.objective_get_for_user(user=user, pk=kwargs["pk"])
        children = selectors.objective_children(user=user, objective=objective)
        can_check_in = (
            selectors.can_check_in(user, objective) and objective.status == Objective.Status.ACTIVE
        )
        for kr in objective.kr_list:
            kr.checkin_form = (
                CheckInForm(prefix=f"kr{kr.pk}") if can_check_in and not kr.is_computed else None
            )
        requirements = list(
            (objective.parent if objective.parent_id else objective)
            .requirements.select_related("segment")
            .order_by("title")
        )
        context.update(
            objective=objective,
            children=children,
            checkins=selectors.objective_checkins(objective=objective),
            weaker=selectors.weaker_targets(objective),
            requirements=requirements,
            can_edit=selectors.can_edit_objective(user, objective)
            and objective.status == Objective.Status.ACTIVE,
            can_add_child=objective.is_organisation
            and objective.status == Objective.Status.ACTIVE
            and (user.is_quality_manager or bool(headed_department_ids(user))),
        )
        return context


class ObjectiveFormMixin:
    template_name = "objectives/objective_form.html"
    form_class = ObjectiveForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "level": self.level, "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(level=self.level, **kwargs)


class ObjectiveCreateView(LoginRequiredMixin, ObjectiveFormMixin, ServiceFormView):
    success_message = gettext_lazy("Objective created. Now add the key results that measure it.")
    cancel_url = reverse_lazy("objectives:cascade")

    def dispatch(self, request, *args, **kwargs):
        self.level = request.GET.get("level") or request.POST.get("level")
        if self.level not in Objective.Level.values:
            self.level = Objective.Level.DEPARTMENT
        user = request.user
        if user.is_authenticated:
            if self.level == Objective.Level.ORGANISATION and not user.is_quality_manager:
                raise PermissionDenied
            if not (user.is_quality_manager or headed_department_ids(user)):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        initial = {"owner": self.request.user, "period_label": selectors.default_period_label()}
        parent_id = self.request.GET.get("parent")
        if parent_id and parent_id.isdigit():
            parent = Objective.objects.filter(pk=parent_id).first()
            if parent is not None:
                initial.update(parent=parent, period_label=parent.period_label)
        headed = headed_department_ids(self.request.user)
        if len(headed) == 1 and not self.request.user.is_quality_manager:
            initial["department"] = next(iter(headed))
        return initial

    def perform(self, form):
        return services.objective_create(
            actor=self.request.user, level=self.level, **form.cleaned_data
        )

    def get_success_url(self, objective):
        return reverse("objectives:key-result-create", args=[objective.pk])


class ObjectiveUpdateView(LoginRequiredMixin, ObjectiveFormMixin, ServiceFormView):
    success_message = gettext_lazy("Objective saved.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.objective = selectors.objective_get_for_user(user=request.user, pk=kwargs["pk"])
            if not selectors.can_edit_objective(request.user, self.objective):
                raise PermissionDenied
            self.level = self.objective.level
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Objective.objects.get(pk=self.objective.pk)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(objective=self.objective, **kwargs)

    def perform(self, form):
        return services.objective_update(
            actor=self.request.user, objective=self.objective, **form.cleaned_data
        )

    def get_success_url(self, objective):
        return reverse("objectives:objective-detail", args=[objective.pk])

    def get_cancel_url(self):
        return reverse("objectives:objective-detail", args=[self.objective.pk])


class KeyResultFormMixin:
    """The key-result form of an objective the user may edit (`self.objective`)."""

    template_name = "objectives/key_result_form.html"
    form_class = KeyResultForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(objective=self.objective, **kwargs)

    def get_success_url(self, key_result):
        return reverse("objectives:objective-detail", args=[self.objective.pk])

    def get_cancel_url(self):
        return reverse("objectives:objective-detail", args=[self.objective.pk])


class KeyResultCreateView(LoginRequiredMixin, KeyResultFormMixin, ServiceFormView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.objective = selectors.objective_get_for_user(user=request.user, pk=kwargs["pk"])
            if not selectors.can_edit_objective(request.user, self.objective):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form):
        return services.key_result_create(
            actor=self.request.user, objective=self.objective, **form.cleaned_data
        )

    def get_success_message(self, key_result):
        return _("Key result “%s” added.") % key_result


class KeyResultUpdateView(LoginRequiredMixin, KeyResultFormMixin, ServiceFormView):
    success_message = gettext_lazy("Key result saved.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.key_result = selectors.key_result_get_for_user(user=request.user, pk=kwargs["pk"])
            self.objective = self.key_result.objective
            if not selectors.can_edit_objective(request.user, self.objective):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": KeyResult.objects.get(pk=self.key_result.pk),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(key_result=self.key_result, **kwargs)

    def perform(self, form):
        return services.key_result_update(
            actor=self.request.user, key_result=self.key_result, **form.cleaned_data
        )


class CheckInCreateView(LoginRequiredMixin, ServiceActionView):
    """POST a check-in from "My objectives" or the objective page, then go back there."""

    http_method_names = ["post"]
    form_class = CheckInForm

    def post(self, request, *args, **kwargs):
        self.key_result = selectors.key_result_get_for_user(user=request.user, pk=kwargs["pk"])
        if not (request.user.is_quality_manager or department_ids_for_user(request.user)):
            raise PermissionDenied  # the read-only viewer reads key results, writes nothing
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "prefix": f"kr{self.key_result.pk}"}

    def get_invalid_message(self, form):
        problems = "; ".join(
            f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()
        )
        return _("The check-in of “%(kr)s” was not saved. %(problems)s") % {
            "kr": self.key_result,
            "problems": problems,
        }

    def perform(self, form):
        return services.checkin_create(
            actor=self.request.user, key_result=self.key_result, **form.cleaned_data
        )

    def get_success_message(self, checkin):
        return _("Check-in recorded for “%(kr)s”: %(value)s.") % {
            "kr": self.key_result,
            "value": self.form.cleaned_data["value"].normalize(),
        }

    def get_redirect_url(self):
        return safe_next_url(self.request, reverse("objectives:mine"))


class ObjectiveAlignmentView(ViewAllRequiredMixin, PeriodFilterMixin, TemplateView):
    """Customer requirements against the period's organisation objectives."""

    template_name = "objectives/alignment.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = self.filters["period"]
        alignment = selectors.alignment(period_label=period)
        page = page_context(self.request, alignment.rows, 50)
        context.update(
            period=period,
            alignment=alignment,
            rows=page["page_obj"].object_list,
            object_list=page["page_obj"].object_list,
            **page,
        )
        return context


class ObjectiveReviewView(ScopeRequiredMixin, PeriodFilterMixin, TemplateView):
    """End-of-period review: every missed objective needs an analysis before closing."""

    template_name = "objectives/review.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = self.filters["period"]
        objectives = selectors.review(user=self.request.user, period_label=period)
        for objective in objectives:
            objective.can_edit = selectors.can_edit_objective(self.request.user, objective)
        missing = [
            o for o in objectives if o.missed and not o.has_analysis and o.status == "active"
        ]
        context.update(
            period=period,
            period_over=all(o.period_over for o in objectives),
            objectives=objectives,
            object_list=objectives,
            missing=missing,
            close_form=PeriodCloseForm(initial={"period": period}),
        )
        return context


class AnalysisRecordView(LoginRequiredMixin, ServiceFormView):
    template_name = "objectives/analysis_form.html"
    form_class = AnalysisForm
    success_message = gettext_lazy("Analysis recorded.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.objective = selectors.objective_get_for_user(user=request.user, pk=kwargs["pk"])
            if not selectors.can_edit_objective(request.user, self.objective):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        analysis = getattr(self.objective, "analysis", None) if self._has_analysis() else None
        if analysis is None:
            return {}
        return {
            "text": analysis.text,
            "corrective_action_needed": analysis.corrective_action_needed,
        }

    def _has_analysis(self):
        try:
            return self.objective.analysis is not None
        except Objective.analysis.RelatedObjectDoesNotExist:
            return False

    def get_context_data(self, **kwargs):
        return super().get_context_data(objective=self.objective, **kwargs)

    def perform(self, form):
        return services.analysis_record(
            actor=self.request.user, objective=self.objective, **form.cleaned_data
        )

    def get_success_url(self, analysis=None):
        url = reverse("objectives:review")
        return f"{url}?{urlencode({'period': self.objective.period_label})}"

    def get_cancel_url(self):
        return self.get_success_url()


class PeriodCloseView(LoginRequiredMixin, ServiceActionView):
    http_method_names = ["post"]
    form_class = PeriodCloseForm
    invalid_message = gettext_lazy("Tick the confirmation to close the period.")

    def post(self, request, *args, **kwargs):
        if not request.user.is_quality_manager:
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def perform(self, form):
        return services.period_close(
            actor=self.request.user, period_label=form.cleaned_data["period"]
        )

    def get_success_message(self, count):
        return _("Period %(period)s closed: %(count)s objective(s).") % {
            "period": self.request.POST.get("period", ""),
            "count": count,
        }

    def get_redirect_url(self):
        period = self.request.POST.get("period", "")
        return f"{reverse('objectives:review')}?{urlencode({'period': period})}"
