"""The workflow kernel: row locks, due rows for scanners, declared state transitions with
their log, and reminder-then-escalate ladders. Every app's workflow is built from these
pieces, so a rule (a lock that skips busy rows, a step that is taken once) is written once.

- `locked(queryset)`: `select_for_update` that skips rows another worker holds on
  PostgreSQL and locks only the queryset's own table (so a nullable `select_related` join
  is allowed). SQLite ignores row locks; its write lock serialises the writers.
- `lock(obj)`: the row again, fresh from the database, held (blocking) until commit.
- `due_rows(queryset, field=..., now=..., limit=...)`: a scanner's bounded batch of rows
  whose `field` has come, oldest first, locked with `locked()`.
- `TransitionLog`: the abstract log row of a status change (from_status, to_status,
  actor, note, created_at); the concrete model declares the foreign key to its object and
  names it in `object_field`.
- `Workflow` and `Transition`: the declared transition table of one model. `transition()`
  checks the current state, runs the guards (a guard returns a readable message, or
  None), sets the state, runs the effects, saves, and writes the log row.
- `Ladder` and `Step`: reminder-then-escalate steps, each taken once per object, counted
  in an integer field (`reminder_step`, `escalation_level`) and/or marked by a datetime
  field (`escalated_at`); `next_field` holds when the next step is due.

Every workflow in the portal is built this way: docs/architecture.md section 9.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qms.exceptions import ApplicationError

logger = logging.getLogger(__name__)

# --- Locks and due rows -----------------------------------------------------------------


def locked(queryset: models.QuerySet, *, skip_locked: bool = True) -> models.QuerySet:
    """`select_for_update` on the queryset's own rows. On PostgreSQL rows another worker
    holds are skipped (unless `skip_locked=False`: then the call waits for them)."""
    return queryset.select_for_update(
        skip_locked=skip_locked and settings.IS_POSTGRES, of=("self",)
    )


def lock(obj: models.Model) -> models.Model:
    """The row of `obj` read again and locked until the transaction ends (waits for a
    worker that holds it). Use inside `transaction.atomic`."""
    return locked(type(obj)._default_manager.filter(pk=obj.pk), skip_locked=False).get()


def due_rows(
    queryset: models.QuerySet,
    *,
    field: str = "next_action_at",
    now: dt.datetime | None = None,
    limit: int = 100,
) -> list:
    """A scanner's batch: at most `limit` rows of `queryset` whose `field` is at or before
    `now`, the longest waiting first (ties by id), locked with `locked()`. Use inside
    `transaction.atomic` and move `field` on (or clear it) in the same transaction."""
    if not isinstance(limit, int) or limit < 0:
        raise ValueError("due_rows needs a limit (0 or more): a scanner's batch is bounded.")
    now = now or timezone.now()
    return list(locked(queryset.filter(**{f"{field}__lte": now}).order_by(field, "pk"))[:limit])


class Heartbeat:
    """Keeps a running job's lease alive: `beat()` is called every `every` seconds from a
    thread with its own database connection until the `with` block ends. A job whose
    worker dies stops beating, so its lease runs out and a scanner takes it up again.

    Inside a transaction (a test, or a caller's atomic block) no thread is started: the
    thread could not see the row, and on SQLite it would wait for the caller's write lock.
    """

    def __init__(self, beat: Callable[[], Any], *, every: float, name: str = "heartbeat"):
        self.beat, self.every, self.name = beat, every, name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self):
        from django.db import connection

        if not connection.in_atomic_block:
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        return False

    def _run(self) -> None:
        from django.db import DatabaseError, connection

        try:
            while not self._stop.wait(self.every):
                try:
                    self.beat()
                except DatabaseError:  # a missed beat is harmless; the next one tries again
                    logger.warning("%s: heartbeat not written", self.name, exc_info=True)
        finally:
            connection.close()


# --- The log of transitions -------------------------------------------------------------


class TransitionLog(models.Model):
    """One status change of an object: from, to, who (empty for a scanner or the portal
    itself), when, and a note. The concrete model declares the foreign key to its object
    (named in `object_field`, `related_name` of its choice), `Meta.ordering` and its
    indexes; it may redeclare a field to keep its own column (`db_column`) or choices."""

    object_field: ClassVar[str] = ""

    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, editable=False)

    class Meta:
        abstract = True

    def __str__(self):
        subject = getattr(self, f"{self.object_field}_id", None)
        return f"{subject}: {self.from_status or '∅'} → {self.to_status}"

    @classmethod
    def record(
        cls,
        obj,
        *,
        from_status: str,
        to_status: str,
        actor=None,
        note: str = "",
        at: dt.datetime | None = None,
        **extra,
    ):
        """Write one log row for `obj` (extra columns of the concrete model in `extra`)."""
        values = {
            cls.object_field: obj,
            "from_status": from_status,
            "to_status": to_status,
            "actor": actor,
            "note": note,
            **extra,
        }
        if at is not None:
            values["created_at"] = at
        return cls._default_manager.create(**values)


# --- Declared transitions ---------------------------------------------------------------

Guard = Callable[..., Any]
ILLEGAL = _("“%(from)s” cannot move to “%(to)s”.")


def _as_tuple(value) -> tuple:
    if value is None:
        return ()
    if isinstance(value, str) or callable(value):
        return (value,)
    return tuple(value)


@dataclass(frozen=True)
class Transition:
    """One allowed move: from any state in `source` to `target`.

    `name` (default: the target) is what callers ask for; `label` is the button text a
    page shows; `illegal`, if given, replaces the workflow's message when this move is
    asked for from a state it does not leave ("Only a proposed requirement can be
    submitted"). Each guard is called as `guard(obj, actor=..., **context)` and returns a
    readable message when the move is refused, or None (it may also raise
    ApplicationError itself). Each effect is called as `effect(obj, actor=..., now=...,
    note=..., **context)` after the state is set and before the object is saved (set
    dates, clear schedules)."""

    source: str | Sequence[str]
    target: str
    name: str = ""
    label: Any = ""
    guard: Guard | Sequence[Guard] | None = None
    effect: Callable[..., None] | Sequence[Callable[..., None]] | None = None
    illegal: Any = None
    sources: tuple[str, ...] = field(init=False, repr=False)
    guards: tuple[Guard, ...] = field(init=False, repr=False)
    effects: tuple[Callable[..., None], ...] = field(init=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "sources", tuple(str(s) for s in _as_tuple(self.source)))
        object.__setattr__(self, "target", str(self.target))
        object.__setattr__(self, "name", self.name or self.target)
        object.__setattr__(self, "guards", _as_tuple(self.guard))
        object.__setattr__(self, "effects", _as_tuple(self.effect))


class Workflow:
    """The transition table of one model's `field` (default `status`).

    `states` is the model's TextChoices (for labels and for refusing unknown states);
    `log_model` a concrete `TransitionLog`; `illegal` the message of a refused move, with
    `%(from)s`, `%(to)s` and `%(step)s` (labels); `on_enter(obj, transition, actor=...,
    now=..., note=..., **context)` runs after every transition's own effects (bookkeeping
    common to all moves); `full_clean` and `update_fields` say how the object is saved."""

    def __init__(
        self,
        *,
        states: type[models.TextChoices],
        transitions: Iterable[Transition],
        field: str = "status",
        log_model: type[TransitionLog] | None = None,
        illegal=None,
        on_enter: Callable[..., None] | None = None,
        full_clean: bool = True,
        update_fields: Sequence[str] | None = None,
    ):
        self.states = states
        self.transitions = tuple(transitions)
        self.field = field
        self.log_model = log_model
        self.illegal = illegal or ILLEGAL
        self.on_enter = on_enter
        self.full_clean = full_clean
        self.update_fields = tuple(update_fields) if update_fields else None
        known = set(states.values)
        for t in self.transitions:
            unknown = {*t.sources, t.target} - known
            if unknown:
                raise ValueError(f"Transition {t.name!r} names unknown states: {sorted(unknown)}")
        names = [(s, t.name) for t in self.transitions for s in t.sources]
        if len(names) != len(set(names)):
            raise ValueError("Two transitions from one state share a name.")

    def state_label(self, value: str) -> str:
        return self.states(value).label if value in self.states.values else value

    def allowed(self, obj) -> list[Transition]:
        """The moves open from `obj`'s current state, in the order they were declared
        (a page lists them as the next steps with their labels)."""
        state = getattr(obj, self.field)
        return [t for t in self.transitions if state in t.sources]

    def targets(self, obj) -> tuple[str, ...]:
        return tuple(t.target for t in self.allowed(obj))

    def get(self, obj, name: str) -> Transition:
        """The move called `name` (a transition name or its target state) from `obj`'s
        current state; ApplicationError with the `illegal` message if there is none."""
        for t in self.allowed(obj):
            if name in (t.name, t.target):
                return t
        named = next((t for t in self.transitions if name in (t.name, t.target)), None)
        to = named.target if named else name
        message = (named.illegal if named else None) or self.illegal
        raise ApplicationError(
            message
            % {
                "from": self.state_label(getattr(obj, self.field)),
                "to": self.state_label(to),
                "step": (named.label or self.state_label(to)) if named else name,
            }
        )

    def check(self, obj, name: str, *, actor=None, **context) -> Transition:
        """The move, if it is open and every guard holds; else ApplicationError with the
        first refusing guard's message. Changes nothing."""
        transition = self.get(obj, name)
        for guard in transition.guards:
            message = guard(obj, actor=actor, **context)
            if message:
                raise ApplicationError(message)
        return transition

    def transition(
        self,
        obj,
        name: str,
        *,
        actor=None,
        note: str = "",
        log_model: type[TransitionLog] | None = None,
        at: dt.datetime | None = None,
        log_extra: dict | None = None,
        **context,
    ) -> Transition:
        """Take the move `name` on `obj`: check and guard it, set the state, run the
        effects and `on_enter`, save, and write the log row (actor, note, `at`). Lock the
        row first (`lock(obj)`) when two people may move it at once. Returns the
        transition taken."""
        transition = self.check(obj, name, actor=actor, **context)
        now = at or timezone.now()
        from_state = getattr(obj, self.field)
        setattr(obj, self.field, transition.target)
        for effect in transition.effects:
            effect(obj, actor=actor, now=now, note=note, **context)
        if self.on_enter is not None:
            self.on_enter(obj, transition, actor=actor, now=now, note=note, **context)
        if self.full_clean:
            obj.full_clean()
        obj.save(update_fields=self.update_fields)
        log = log_model or self.log_model
        if log is not None:
            log.record(
                obj,
                from_status=from_state,
                to_status=transition.target,
                actor=actor,
                note=note,
                at=now,
                **(log_extra or {}),
            )
        return transition


# --- Reminder-then-escalate ladders -----------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One rung of a ladder. `after` places it in time: from the ladder's anchor (e.g. a
    due date; negative = before it), or, on a ladder spaced from the previous step, from
    the moment the previous step was taken. `when(obj)` false passes the step over (taken,
    nothing sent) and makes the next step due at once. `mark` names a datetime field set
    when the step is taken; a step whose mark is set is never taken again."""

    name: str
    after: dt.timedelta = dt.timedelta(0)
    when: Callable[[Any], bool] | None = None
    mark: str = ""


class Ladder:
    """Reminder-then-escalate steps, each taken once per object.

    `level_field` (an integer field) counts the steps passed: step N is taken when the
    field goes from below N to N, so a database mid-ladder carries on where it was.
    `next_field` holds when the next step is due (the scanner's `due_rows` field), None
    when the ladder is finished or stopped.

    Spacing: with `anchor` (a callable giving a datetime, e.g. the start of the due date)
    every step is due at `anchor + after`, and a late scan takes only the latest step due
    (`catch_up="latest"`; `"each"` takes every one in turn; `"one"` takes one step per
    scan, the next one, whenever the scanner picks the row because `next_field` has come,
    and sets `next_field` to the following step's anchored time, so a late scanner
    catches up one step per run). Without an anchor the first step is due at `next_field`
    (set by `restart`) and each later step `after` the moment the previous one was taken.

    The scanner calls `advance(obj, now=..., run=...)`; `run(obj, step)` sends the step's
    messages (with its own message keys, so a re-run sends nothing twice) and returns
    anything (collected in the result)."""

    def __init__(
        self,
        *,
        steps: Sequence[Step],
        next_field: str = "next_action_at",
        level_field: str = "",
        anchor: Callable[[Any], dt.datetime | None] | None = None,
        catch_up: str = "latest",
    ):
        if not steps:
            raise ValueError("A ladder has at least one step.")
        if catch_up not in ("latest", "each", "one"):
            raise ValueError("catch_up is 'latest', 'each' or 'one'.")
        if not level_field and not all(s.mark for s in steps):
            raise ValueError("Without a level field every step needs a mark field.")
        self.steps = tuple(steps)
        self.next_field = next_field
        self.level_field = level_field
        self.anchor = anchor
        self.catch_up = catch_up

    def level(self, step: Step) -> int:
        """The step's number, 1 for the first (the value `level_field` takes with it)."""
        return self.steps.index(step) + 1

    def position(self, obj) -> int:
        """How many steps are behind `obj` (taken or passed over)."""
        done = getattr(obj, self.level_field) if self.level_field else 0
        while done < len(self.steps) and self.steps[done].mark:
            if getattr(obj, self.steps[done].mark) is None:
                break
            done += 1
        return done

    def _anchored_at(self, obj, index: int) -> dt.datetime | None:
        start = self.anchor(obj)
        return None if start is None else start + self.steps[index].after

    def schedule(self, obj) -> dt.datetime | None:
        """Anchored ladders: set `next_field` to when the next step not yet passed is due
        (None when all are). Call it when the anchor or the level changes."""
        if self.anchor is None:
            raise TypeError("An unanchored ladder is started with restart(obj, at=...).")
        index = self.position(obj)
        at = self._anchored_at(obj, index) if index < len(self.steps) else None
        setattr(obj, self.next_field, at)
        return at

    def restart(self, obj, *, at: dt.datetime | None) -> None:
        """Start again from the first step (level 0), the first step due at `at`
        (anchored ladders: at its anchored time). Marks are left as they are."""
        if self.level_field:
            setattr(obj, self.level_field, 0)
        if self.anchor is not None:
            self.schedule(obj)
        else:
            setattr(obj, self.next_field, at)

    def stop(self, obj) -> None:
        """No more steps until a restart or reschedule."""
        setattr(obj, self.next_field, None)

    def _pass(self, obj, index: int) -> None:
        if self.level_field:
            setattr(obj, self.level_field, index + 1)

    def advance(
        self,
        obj,
        *,
        now: dt.datetime | None = None,
        run: Callable[[Any, Step], Any],
        save: bool = True,
    ) -> list[tuple[Step, Any]]:
        """Take the steps of `obj` that are due at `now`, each once; set the level, the
        marks and `next_field`; save those fields (with `updated_at` if the model has it).
        Returns [(step, what run returned)] for the steps taken (empty if none)."""
        now = now or timezone.now()
        taken: list[tuple[Step, Any]] = []
        index = self.position(obj)
        at = (
            getattr(obj, self.next_field)
            if self.anchor is None or self.catch_up == "one"
            else (self._anchored_at(obj, index) if index < len(self.steps) else None)
        )
        while index < len(self.steps) and at is not None and at <= now:
            step = self.steps[index]
            following = index + 1 < len(self.steps)
            if self.anchor is not None:
                at = self._anchored_at(obj, index + 1) if following else None
                if self.catch_up == "latest" and at is not None and at <= now:
                    self._pass(obj, index)  # superseded by a later step already due
                    index += 1
                    continue
            if step.when is not None and not step.when(obj):
                self._pass(obj, index)
                index += 1
                at = now  # the next step is due at once
                continue
            taken.append((step, run(obj, step)))
            self._pass(obj, index)
            if step.mark:
                setattr(obj, step.mark, now)
            index += 1
            if self.anchor is None:
                at = now + self.steps[index].after if following else None
            elif self.catch_up == "one":
                break  # the following step at its own time, or on the next scan if past
        setattr(obj, self.next_field, at if index < len(self.steps) else None)
        if save:
            obj.save(update_fields=self.fields(obj))
        return taken

    def fields(self, obj) -> list[str]:
        """The fields `advance` changes (for `save(update_fields=...)`)."""
        names = [self.level_field] if self.level_field else []
        names += [s.mark for s in self.steps if s.mark and s.mark not in names]
        names.append(self.next_field)
        meta = getattr(obj, "_meta", None)
        if meta is not None and any(f.name == "updated_at" for f in meta.concrete_fields):
            names.append("updated_at")
        return names
