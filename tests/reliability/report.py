"""What a scenario found, and the summary table."""

from dataclasses import dataclass, field


@dataclass
class Result:
    name: str
    seconds: float = 0.0
    figures: dict[str, object] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "+".join("-" * (w + 2) for w in widths)
    render = lambda r: "|".join(f" {str(c):<{w}} " for c, w in zip(r, widths))  # noqa: E731
    return "\n".join([render(header), line, *map(render, rows)])


def summary(results: list[Result], shown_failures: int = 10) -> str:
    """One block of rows per scenario (a figure a row), then the failures, if any."""
    rows = []
    for r in results:
        figures = list(r.figures.items()) or [("", "")]
        for i, (name, value) in enumerate(figures):
            first = [r.name, "ok" if r.ok else f"FAILED ({len(r.failures)})", f"{r.seconds:.1f}"] if i == 0 else ["", "", ""]
            rows.append(first + [name, str(value)])
    text = table(rows, ["scenario", "result", "seconds", "figure", "value"])
    for r in results:
        for failure in r.failures[:shown_failures]:
            text += f"\n{r.name}: {failure}"
        if len(r.failures) > shown_failures:
            text += f"\n{r.name}: ... and {len(r.failures) - shown_failures} more"
    return text
