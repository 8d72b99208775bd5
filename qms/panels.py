"""Home-page panels of the organisation core (found by qms.discovery)."""


def register():
    from .dashboard import panel_registry
    from .selectors import decisions_open_for_owner

    def my_decisions(user):
        decisions = list(decisions_open_for_owner(user=user)[:10])
        return {"decisions": decisions} if decisions else None

    panel_registry.add(
        key="review-decisions",
        template="qms/partials/panel_decisions.html",
        context=my_decisions,
        order=90,
    )
