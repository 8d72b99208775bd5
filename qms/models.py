"""Organisation core: people, roles, departments, and the outgoing message log."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class BaseModel(models.Model):
    """Every table records when a row was created and last changed."""

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class User(AbstractUser):
    """A person who signs in. The organisation-wide role sits here; department roles
    (head, staff) come from `Department.head` and `Membership`."""

    class Role(models.TextChoices):
        QUALITY_MANAGER = "quality_manager", _("Quality manager")
        VIEWER = "viewer", _("Read-only viewer")
        MEMBER = "member", _("Department member")

    role = models.CharField(
        _("organisation role"),
        max_length=20,
        choices=Role.choices,
        default=Role.MEMBER,
        help_text=_(
            "Quality managers have full rights; viewers read everything; members see "
            "the departments they head or belong to."
        ),
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def is_quality_manager(self) -> bool:
        return self.is_active and (self.role == self.Role.QUALITY_MANAGER or self.is_superuser)

    @property
    def can_view_all(self) -> bool:
        """Quality managers and viewers read every department's records."""
        return self.is_quality_manager or (self.is_active and self.role == self.Role.VIEWER)


class Department(BaseModel):
    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(
        _("code"),
        max_length=20,
        help_text=_("Short unique code, e.g. FD for the front desk."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    head = models.ForeignKey(
        User,
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(fields=["code"], name="department_code_unique"),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="department_not_own_parent"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Membership(BaseModel):
    """A staff member of a department. Heads are named on the department itself."""

    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["department__name", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department"], name="membership_user_department_unique"
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.department.code}"


class Message(BaseModel):
    """The outbox and message log (ARCHITECTURE.md section 4).

    Every message the system sends is first written here with a unique key such as
    `membership-added:42`. A retried task, a second beat or a double click finds the
    row and sends nothing more.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    key = models.CharField(_("key"), max_length=200)
    kind = models.CharField(_("kind"), max_length=60)
    recipient = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    next_action_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(fields=["key"], name="message_key_unique"),
        ]
        indexes = [
            # send_due_messages scanner: pending rows whose next_action_at has come.
            models.Index(
                fields=["next_action_at"],
                name="message_pending_due_idx",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self):
        return f"{self.kind} to {self.recipient} ({self.get_status_display()})"
