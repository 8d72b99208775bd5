"""Pages of quality objectives. Views validate with forms and call services; the rules
live in services and selectors."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from qms.exceptions import ApplicationError
from qms.models import Department
from qms.permissions import ViewAllRequiredMixin
from qms.redirects import safe_next_url
from qms.selectors import department_ids_for_user, headed_department_ids
from qms.views import ServiceFormMixin

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


def _period_form(request, *, with_departments: bool):
    periods = selectors.period_labels()
    departments = None
    if with_departments:
        departments = Department.objects.order_by("name")
        if not request.user.can_view_all:
            departments = departments.filter(id__in=department_ids_for_user(request.user))
    data = request.GET.copy()
    data.setdefault("period", selectors.default_period_label())
    form = PeriodFilterForm(data, periods=periods, departments=departments)
    period, department = selectors.default_period_label(), None
    if form.is_valid():
        period = form.cleaned_data["period"] or period
        department = form.cleaned_data.get("department")
    return form, period, department


class ObjectiveCascadeView(ScopeRequiredMixin, TemplateView):
    """Organisation objectives of a period with their department objectives beneath."""

    template_name = "objectives/cascade.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, period, department = _period_form(self.request, with_departments=True)
        tree = selectors.cascade(
            user=self.request.user,
            period_label=period,
            department_id=department.pk if department else None,
            page_number=self.request.GET.get("page") or 1,
        )
        user = self.request.user
        context.update(
            filter_form=form,
            period=period,
            department=department,
            roots=tree.roots,
            page_obj=tree.page_obj,
            is_paginated=tree.is_paginated,
            can_create_organisation=user.is_quality_manager,
            can_create_department=user.is_quality_manager or bool(headed_department_ids(user)),
        )
        return context


class ObjectiveMineView(LoginRequiredMixin, TemplateView):
    """A department head's (or staff member's) objectives, with a quick check-in form."""

    template_name = "objectives/mine.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = Paginator(selectors.my_objectives(user=self.request.user), 20)
        page = paginator.get_page(self.request.GET.get("page"))
        objectives = selectors.decorate_my_objectives(page.object_list, user=self.request.user)
        context.update(page_obj=page, is_paginated=paginator.num_pages > 1)
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


class ObjectiveFormMixin(ServiceFormMixin):
    template_name = "objectives/objective_form.html"
    form_class = ObjectiveForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "level": self.level, "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(level=self.level, **kwargs)


class ObjectiveCreateView(LoginRequiredMixin, ObjectiveFormMixin, FormView):
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

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        objective = self.run_service(
            form,
            lambda: services.objective_create(actor=self.request.user, level=self.level, **data),
        )
        if objective is None:
            return self.form_invalid(form)
        messages.success(
            self.request, _("Objective created. Now add the key results that measure it.")
        )
        return redirect("objectives:key-result-create", pk=objective.pk)


class ObjectiveUpdateView(LoginRequiredMixin, ObjectiveFormMixin, FormView):
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

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        objective = self.run_service(
            form,
            lambda: services.objective_update(
                actor=self.request.user, objective=self.objective, **data
            ),
        )
        if objective is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Objective saved."))
        return redirect("objectives:objective-detail", pk=objective.pk)


class KeyResultCreateView(LoginRequiredMixin, ServiceFormMixin, FormView):
    template_name = "objectives/key_result_form.html"
    form_class = KeyResultForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.objective = selectors.objective_get_for_user(user=request.user, pk=kwargs["pk"])
            if not selectors.can_edit_objective(request.user, self.objective):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(objective=self.objective, **kwargs)

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        kr = self.run_service(
            form,
            lambda: services.key_result_create(
                actor=self.request.user, objective=self.objective, **data
            ),
        )
        if kr is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Key result “%s” added.") % kr)
        return redirect("objectives:objective-detail", pk=self.objective.pk)


class KeyResultUpdateView(LoginRequiredMixin, ServiceFormMixin, FormView):
    template_name = "objectives/key_result_form.html"
    form_class = KeyResultForm

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
        return super().get_context_data(
            objective=self.objective, key_result=self.key_result, **kwargs
        )

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        kr = self.run_service(
            form,
            lambda: services.key_result_update(
                actor=self.request.user, key_result=self.key_result, **data
            ),
        )
        if kr is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Key result saved."))
        return redirect("objectives:objective-detail", pk=self.objective.pk)


class CheckInCreateView(LoginRequiredMixin, View):
    """POST a check-in from "My objectives" or the objective page, then go back there."""

    http_method_names = ["post"]

    def post(self, request, pk):
        key_result = selectors.key_result_get_for_user(user=request.user, pk=pk)
        back = safe_next_url(request, reverse("objectives:mine"))
        form = CheckInForm(request.POST, prefix=f"kr{key_result.pk}")
        if not form.is_valid():
            problems = "; ".join(
                f"{form.fields[name].label}: {' '.join(errors)}"
                for name, errors in form.errors.items()
            )
            messages.error(
                request,
                _("The check-in of “%(kr)s” was not saved. %(problems)s")
                % {"kr": key_result, "problems": problems},
            )
            return redirect(back)
        try:
            services.checkin_create(actor=request.user, key_result=key_result, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, str(exc))
            return redirect(back)
        messages.success(
            request,
            _("Check-in recorded for “%(kr)s”: %(value)s.")
            % {"kr": key_result, "value": form.cleaned_data["value"].normalize()},
        )
        return redirect(back)


class ObjectiveAlignmentView(ViewAllRequiredMixin, TemplateView):
    """Customer requirements against the period's organisation objectives."""

    template_name = "objectives/alignment.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, period, _department = _period_form(self.request, with_departments=False)
        alignment = selectors.alignment(period_label=period)
        paginator = Paginator(alignment.rows, 50)
        page = paginator.get_page(self.request.GET.get("page"))
        context.update(
            filter_form=form,
            period=period,
            alignment=alignment,
            rows=page.object_list,
            page_obj=page,
            is_paginated=paginator.num_pages > 1,
        )
        return context


class ObjectiveReviewView(ScopeRequiredMixin, TemplateView):
    """End-of-period review: every missed objective needs an analysis before closing."""

    template_name = "objectives/review.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, period, _department = _period_form(self.request, with_departments=False)
        objectives = selectors.review(user=self.request.user, period_label=period)
        for objective in objectives:
            objective.can_edit = selectors.can_edit_objective(self.request.user, objective)
        missing = [
            o for o in objectives if o.missed and not o.has_analysis and o.status == "active"
        ]
        context.update(
            filter_form=form,
            period=period,
            period_over=all(o.period_over for o in objectives),
            objectives=objectives,
            missing=missing,
            close_form=PeriodCloseForm(initial={"period": period}),
        )
        return context


class AnalysisRecordView(LoginRequiredMixin, ServiceFormMixin, FormView):
    template_name = "objectives/analysis_form.html"
    form_class = AnalysisForm

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

    def form_valid(self, form):
        analysis = self.run_service(
            form,
            lambda: services.analysis_record(
                actor=self.request.user, objective=self.objective, **form.cleaned_data
            ),
        )
        if analysis is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Analysis recorded."))
        url = reverse("objectives:review")
        return redirect(f"{url}?{urlencode({'period': self.objective.period_label})}")


class PeriodCloseView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        if not request.user.is_quality_manager:
            raise PermissionDenied
        form = PeriodCloseForm(request.POST)
        period = request.POST.get("period", "")
        url = f"{reverse('objectives:review')}?{urlencode({'period': period})}"
        if not form.is_valid():
            messages.error(request, _("Tick the confirmation to close the period."))
            return redirect(url)
        try:
            count = services.period_close(
                actor=request.user, period_label=form.cleaned_data["period"]
            )
        except ApplicationError as exc:
            messages.error(request, str(exc))
            return redirect(url)
        messages.success(
            request,
            _("Period %(period)s closed: %(count)s objective(s).")
            % {"period": period, "count": count},
        )
        return redirect(url)
