"""The customer's tickets, interviews and purchases on the customer's page (the customers
app renders `{% record_panels customer %}` and does not import this app)."""

from customers.models import Customer


def customer_research_summary(*, customer: Customer) -> dict:
    return {
        "tickets": customer.tickets.select_related("topic").order_by("-opened_at", "-id")[:5],
        "ticket_count": customer.tickets.count(),
        "purchases": customer.purchases.order_by("-purchased_at", "-id")[:5],
        "purchase_count": customer.purchases.count(),
        "interviews": customer.interviews.order_by("-held_on", "-id")[:5],
    }


def customer_research_panel(obj, user):
    if not isinstance(obj, Customer):
        return None
    return {"customer": obj, "user": user, **customer_research_summary(customer=obj)}


def register():
    from qms.dashboard import record_panels

    record_panels.add(
        key="customer-research",
        template="research/partials/customer_research.html",
        context=customer_research_panel,
        order=10,
    )
