"""The home page: a quality dashboard for those who read everything, and the panels the
apps contribute for each person."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from qms.ui.views import FilterMixin, ServiceFormView

from .. import dashboard, selectors, services
from ..exceptions import ApplicationError
from ..forms import DashboardFilterForm, DashboardSettingsForm
from ..models import DashboardSettings, Department, Message, TileTarget, User
from ..permissions import QualityManagerRequiredMixin
from ..registry import Period


class HomeView(LoginRequiredMixin, FilterMixin, TemplateView):
    """A home page per role. Quality managers and viewers get the quality dashboard (every
    tile from the metrics registry, with period and segment filters); everyone gets the
    panels the apps contribute for them (their objectives, needs, actions, ...)."""

    template_name = "qms/home.html"
    filter_form_class = DashboardFilterForm

    def get_filter_form(self):
        # Only the dashboard has filters.
        if not self.request.user.can_view_all:
            return None
        return super().get_filter_form()

    def get_filter_form_kwargs(self):
        return {"segments": dashboard.dimensions.choices("segment")}

    def filters_invalid(self, form):
        label = str(timezone.localdate().year)
        return {"period": Period.parse(label), "period_label": label, "segment": ""}

    def get_filters(self, data):
        filters = {**self.filters_invalid(self.filter_form), "segment": data["segment"]}
        if data["period"]:
            try:
                filters["period"] = Period.parse(data["period"])
                filters["period_label"] = data["period"]
            except ApplicationError as exc:
                self.filter_form.add_error("period", str(exc))
        return filters

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        headed = selectors.headed_department_ids(user)
        departments = selectors.department_list(user=user).filter(
            id__in=selectors.department_ids_for_user(user)
        )
        context.update(
            my_departments=departments,
            headed_ids=headed,
            is_head=bool(headed),
            panels=dashboard.panel_registry.for_user(user),
        )
        if user.can_view_all:
            context.update(self.dashboard_context())
        if user.is_quality_manager:
            context["pending_messages"] = Message.objects.filter(
                status=Message.Status.PENDING
            ).count()
            context["failed_messages"] = Message.objects.filter(
                status=Message.Status.FAILED
            ).count()
        return context

    def dashboard_context(self):
        period, segment = self.filters["period"], self.filters["segment"]
        tiles = dashboard.tiles_for(period=period, segment=segment)
        trends = dashboard.months_with_data({t.tile.key: t.trend for t in tiles if t.trend})
        trends = {key: points for key, points in trends.items() if points}
        return {
            "dashboard_form": self.filter_form,
            "period": period,
            "period_label": self.filters["period_label"],
            "tiles": tiles,
            "min_n": tiles[0].min_n if tiles else 0,
            "low_months": sorted(
                {p["month"] for points in trends.values() for p in points if p["low"]}
            ),
            "trends": trends,
            "department_count": Department.objects.count(),
            "person_count": User.objects.filter(is_active=True).count(),
        }


class DashboardSettingsView(QualityManagerRequiredMixin, ServiceFormView):
    """The quality manager sets the dashboard's targets and its minimum number of answers."""

    template_name = "qms/dashboard_settings.html"
    form_class = DashboardSettingsForm
    success_message = gettext_lazy("Dashboard settings saved.")

    def _tiles(self):
        from ..registry import registry

        tiles = []
        for tile in dashboard.TILES:
            try:
                unit = registry.get(tile.metric).unit
            except ApplicationError:
                continue
            tiles.append((tile, str(unit)))
        return tiles

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "tiles": self._tiles()}

    def get_initial(self):
        row = DashboardSettings.current()
        initial = {"min_n": row.min_n, "at_risk_margin_pct": row.at_risk_margin_pct}
        for tile, target in TileTarget.objects.values_list("tile", "target"):
            initial[f"target_{tile}"] = target
        return initial

    def perform(self, form):
        return services.dashboard_settings_update(
            actor=self.request.user,
            min_n=form.cleaned_data["min_n"],
            at_risk_margin_pct=form.cleaned_data["at_risk_margin_pct"],
            targets=form.targets(),
        )

    def get_success_url(self, result=None):
        return reverse("qms:home")

    def get_cancel_url(self):
        return reverse("qms:home")
