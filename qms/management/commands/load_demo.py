"""Load the demo organisation. Idempotent: a second run finds every row and changes nothing.

Later issues extend the demo with customers, surveys, objectives and actions; each app
adds its part in its own `demo.py` (called from here, left to right).
"""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from qms.models import Department, Membership, User

DEMO_PASSWORD = "demo-quality-2026"

PEOPLE = [
    # username, first, last, role, e-mail
    ("quality", "Lin", "Qiao", User.Role.QUALITY_MANAGER, "quality@example.com"),
    ("frontdesk", "Maya", "Fischer", User.Role.MEMBER, "frontdesk@example.com"),
    ("housekeeping", "Jun", "Wang", User.Role.MEMBER, "housekeeping@example.com"),
    ("staff", "Sam", "Okafor", User.Role.MEMBER, "staff@example.com"),
    ("auditor", "Ana", "Silva", User.Role.VIEWER, "auditor@example.com"),
]

DEPARTMENTS = [
    # code, name, parent code, head username, description
    ("ORG", "Management", None, "quality", "Top management and the quality office."),
    ("FD", "Front desk", "ORG", "frontdesk", "Check-in, check-out and guest requests."),
    ("HK", "Housekeeping", "ORG", "housekeeping", "Guest rooms and public areas."),
    ("IT", "IT", "ORG", None, "Systems, self-service kiosks and the booking platform."),
    ("CL", "Cleaning", "ORG", None, "Store cleaning: floors, carts and restrooms."),
    ("KT", "Kitchen", "ORG", None, "Restaurant kitchen and food delivery to tables."),
    ("AS", "After-sales service", "ORG", None, "Repairs, returns and support tickets."),
]

MEMBERS = [("staff", "FD")]


class Command(BaseCommand):
    help = "Create the demo organisation and its sign-ins (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even when DEBUG is off (demo passwords are public: never in production).",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to create demo accounts with public passwords while DEBUG is off. "
                "Use --force on a throwaway database."
            )
        created = 0
        people = {}
        for username, first, last, role, email in PEOPLE:
            person = User.objects.filter(username=username).first()
            if person is None:
                person = User(
                    username=username, first_name=first, last_name=last, role=role, email=email
                )
                person.set_password(DEMO_PASSWORD)
                person.is_staff = role == User.Role.QUALITY_MANAGER
                person.is_superuser = role == User.Role.QUALITY_MANAGER
                person.save()
                created += 1
            people[username] = person
        departments = {}
        for code, name, parent, head, description in DEPARTMENTS:
            department = Department.objects.filter(code=code).first()
            if department is None:
                department = Department.objects.create(
                    code=code,
                    name=name,
                    parent=departments.get(parent),
                    head=people.get(head),
                    description=description,
                )
                created += 1
            departments[code] = department
        for username, code in MEMBERS:
            _, was_created = Membership.objects.get_or_create(
                user=people[username], department=departments[code]
            )
            created += was_created
        for app in (
            "qms",
            "customers",
            "requirements",
            "research",
            "crm",
            "satisfaction",
            "objectives",
            "actions",
        ):
            created += import_module(f"{app}.demo").load(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(f"Demo organisation ready ({created} new rows).")
            if created
            else "Demo organisation already loaded; nothing changed."
        )
        self.stdout.write(
            f"\nDemo sign-ins (password for all: {DEMO_PASSWORD}):\n"
            "  quality       quality manager (full rights, also Django admin)\n"
            "  frontdesk     head of Front desk\n"
            "  housekeeping  head of Housekeeping\n"
            "  staff         staff member of Front desk\n"
            "  auditor       read-only viewer\n"
        )
