"""The archive rules (WEBAPP_RETENTION_RULES): which messages go, after how long, by which decision.

A rule is {"name", "applies_to", "keep_days", "counted_from", "decision"}: messages in
the state `applies_to` are deleted `keep_days` Stockholm calendar days after they
were received (`counted_from` "received") or entered that state ("state_changed").
`decision` cites the archive authority's decision that allows it: a deletion without
one is not allowed. A message in a state no rule names is kept.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from . import days

# The submission states (the inbox adds registered, answered, closed to the form's new and spam).
STATES = ("spam", "new", "registered", "answered", "closed")
# Which stored time each `counted_from` counts from.
COUNTED_FROM = {"received": "created_at", "state_changed": "status_changed_at"}
FIELDS = ("name", "applies_to", "keep_days", "counted_from", "decision")


@dataclass(frozen=True)
class Rule:
    name: str
    applies_to: str
    keep_days: int
    counted_from: str
    decision: str

    @property
    def column(self) -> str:
        return COUNTED_FROM[self.counted_from]


class RuleError(ValueError):
    pass


def _rule(entry, position: int) -> Rule:
    if not isinstance(entry, dict):
        raise RuleError(f"WEBAPP_RETENTION_RULES: rule {position} is not an object with {', '.join(FIELDS)}.")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RuleError(f"WEBAPP_RETENTION_RULES: rule {position} has no name.")
    label = f"Retention rule {name!r}"
    unknown = sorted(set(entry) - set(FIELDS))
    if unknown:
        raise RuleError(f"{label} has unknown fields {', '.join(unknown)}; a rule has {', '.join(FIELDS)}.")
    decision = entry.get("decision")
    if not isinstance(decision, str) or not decision.strip():
        raise RuleError(f"{label} cites no decision: give the archive decision that allows the deletion (\"decision\").")
    if entry.get("applies_to") not in STATES:
        raise RuleError(f"{label} applies to the unknown state {entry.get('applies_to')!r}; the states are {', '.join(STATES)}.")
    days = entry.get("keep_days")
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise RuleError(f"{label} keeps messages {days!r} days; keep_days must be a whole number of at least 1.")
    if entry.get("counted_from") not in COUNTED_FROM:
        raise RuleError(f"{label} counts from {entry.get('counted_from')!r}; counted_from is one of {', '.join(COUNTED_FROM)}.")
    return Rule(name.strip(), entry["applies_to"], days, entry["counted_from"], decision.strip())


def parse(value) -> list[Rule]:
    """The rules from the setting; RuleError with a sentence naming the rule if one is wrong."""
    if not isinstance(value, list):
        raise RuleError("WEBAPP_RETENTION_RULES must be a JSON list of rules, e.g. [] for none.")
    rules = [_rule(entry, position) for position, entry in enumerate(value, 1)]
    names, by_state = set(), {}
    for rule in rules:
        if rule.name in names:
            raise RuleError(f"Retention rule {rule.name!r} is named twice; every rule needs its own name.")
        if rule.applies_to in by_state:
            other = by_state[rule.applies_to].name
            raise RuleError(f"Retention rules {other!r} and {rule.name!r} both apply to {rule.applies_to!r}; a state has one rule.")
        names.add(rule.name)
        by_state[rule.applies_to] = rule
    return rules


def of(app) -> list[Rule]:
    return parse(app.config["RETENTION_RULES"])


def warn_until(app, now: float) -> date:
    """The last day WEBAPP_RETENTION_WARN_DAYS looks ahead to: what the rules delete by then is announced."""
    return days.today(now) + timedelta(days=int(app.config["RETENTION_WARN_DAYS"]))


def problems(app) -> list[str]:
    """For the start-up checks and `flask check`."""
    problems = []
    try:
        of(app)
    except RuleError as exc:
        problems.append(str(exc))
    days = app.config["RETENTION_WARN_DAYS"]
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        problems.append(f"WEBAPP_RETENTION_WARN_DAYS is {days!r}; it must be a whole number of days of at least 1.")
    return problems
