"""What the inspector's head and tabs say about one file, as ``Text`` built from its review.

Paths, expressions, rule names, matched text, license texts and ScanCode's comments all come
from scanned files: every one goes through ``safe_text`` and is shown, never parsed as markup.
"""

from __future__ import annotations

from rich.text import Text

from ospo_tui.safe_text import safe, safe_line
from ospo_tui.screens.queue_table import ALERT_STYLES, STATE_LABELS
from ospo_tui.services.review.inspector import FileReview

DIFFERS = "  ⚠ the file on disk differs from the scanned one"


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}".removesuffix(".0")


def head_text(review: FileReview) -> Text:
    """Path, state, priority, policy alert, detection and decision."""
    item = review.item
    label, style = STATE_LABELS.get(item.state, (item.state, ""))
    head = Text(no_wrap=True, overflow="ellipsis")
    head.append_text(safe_line(item.path, max_len=None, style="bold"))
    head.append("\n")
    head.append(label, style=style)
    head.append(f" · priority {item.priority}")
    if item.priority_reason:
        head.append_text(safe_line(f" ({item.priority_reason})"))
    if item.policy_alert:
        head.append(" · policy ")
        head.append_text(
            safe_line(
                item.policy_caption or item.policy_alert,
                style=ALERT_STYLES.get(item.policy_alert, ""),
            )
        )
    head.append("\ndetected: ")
    head.append_text(
        safe_line(item.detected_spdx or item.detected_expression or "none", max_len=None)
    )
    if item.detected_expression and item.detected_expression != item.detected_spdx:
        head.append("\nScanCode: ", style="dim")
        head.append_text(safe_line(item.detected_expression, max_len=None, style="dim"))
    head.append("\ndecision: ")
    head.append_text(
        safe_line(
            item.concluded_expression or "none yet",
            max_len=None,
            style="green" if item.concluded_expression else "dim",
        )
    )
    return head


def source_note(review: FileReview) -> Text:
    """The line above the source: its matched ranges, and whether the file changed on disk."""
    if review.source.text is None:
        return safe_line(f"Source not shown: {review.source.reason}", max_len=None, style="italic")
    note = Text()
    count = len(review.matched_ranges)
    note.append(f"{count} matched line range{'s' if count != 1 else ''} · m / M jump between them")
    if review.source.differs:
        note.append(DIFFERS, style="bold yellow")
    return note


def match_note(review: FileReview | None, index: int, count: int, start: int, end: int) -> Text:
    """The line above the source once a match is shown."""
    text = Text(f"match {index + 1} of {count}: lines {start}-{end}")
    if review is not None and review.source.differs:
        text.append(DIFFERS, style="bold yellow")
    return text


def match_rows(review: FileReview) -> list[tuple[Text, ...]]:
    """The Matches table: expression, rule, matcher, score, coverage, lines."""
    return [
        (
            safe_line(
                (match.spdx or match.expression or "") + (" (clue)" if match.is_clue else ""),
                max_len=60,
            ),
            safe_line(match.rule_identifier or "", max_len=50),
            safe_line(match.matcher or ""),
            Text(_fmt(match.score), justify="right"),
            Text(_fmt(match.coverage), justify="right"),
            Text(match.lines),
        )
        for match in review.matches
    ]


def matched_text(review: FileReview | None, index: int) -> Text:
    """The text ScanCode matched for the match at ``index`` of the Matches table."""
    if review is None or not review.matches:
        return Text("No license match in this file.", style="italic")
    match = review.matches[min(index, len(review.matches) - 1)]
    text = Text()
    text.append(f"Matched text, lines {match.lines or '?'}", style="bold")
    if match.rule_url:
        text.append("\nrule: ")
        text.append_text(safe_line(match.rule_url, max_len=None, style="dim"))
    text.append("\n\n")
    text.append_text(safe(match.matched_text or "(ScanCode did not record the matched text)"))
    return text


def copyright_rows(review: FileReview) -> list[tuple[Text, ...]]:
    """The Copyrights table: kind, statement, lines; false positives marked as such."""
    rows: list[tuple[Text, ...]] = []
    for statement in review.copyrights:
        lines = "" if statement.start_line is None else str(statement.start_line)
        if statement.end_line not in (None, statement.start_line):
            lines += f"-{statement.end_line}"
        if statement.false_positive:  # struck through: left out of the exports
            kind = Text(f"{statement.kind} ✗ not one", style="dim")
            value = safe_line(statement.value, max_len=200, style="dim strike")
        else:
            kind, value = Text(statement.kind), safe_line(statement.value, max_len=200)
        rows.append((kind, value, Text(lines)))
    return rows


def licenses_text(review: FileReview) -> Text:
    """Each detected license's reference text, with where the text comes from."""
    text = Text()
    if not review.licenses:
        text.append("No license detected in this file.", style="italic")
    for number, lic in enumerate(review.licenses):
        if number:
            text.append("\n\n" + "─" * 60 + "\n\n")
        text.append_text(safe_line(lic.key, max_len=None, style="bold"))
        if lic.spdx:
            text.append_text(safe_line(f"  SPDX: {lic.spdx}", max_len=None))
        if lic.category:
            text.append_text(safe_line(f"  category: {lic.category}", max_len=None))
        if lic.name:
            text.append("\n")
            text.append_text(safe_line(lic.name, max_len=None, style="italic"))
        origin = {
            "scan": "this scan's license references",
            "custom": "the custom licenses registered here (ospo-tui license add)",
        }.get(lic.origin, "ScanCode's license database")
        text.append(f"\nfrom {origin}\n\n", style="dim")
        text.append_text(safe(lic.text or "(no reference text for this key)"))
    return text


def notes_text(review: FileReview) -> Text:
    """ScanCode's todo items, the scan errors, and the file's facts."""
    text = Text()
    text.append("ScanCode todo items\n", style="bold")
    if not review.todos:
        text.append("none\n", style="dim")
    for todo in review.todos:
        text.append_text(safe_line(f"• detection {todo.detection_identifier or '?'}", max_len=None))
        text.append("\n")
        for code, comment in todo.review_comments:
            text.append_text(safe(f"  {code}: {comment}" if code else f"  {comment}"))
            text.append("\n")
    text.append("\nScan errors\n", style="bold")
    if not review.file.scan_errors:
        text.append("none\n", style="dim")
    for error in review.file.scan_errors:
        text.append_text(safe(f"• {error}"))
        text.append("\n")
    text.append("\nFile\n", style="bold")
    for name, value in _file_facts(review):
        if value:
            text.append(f"{name:>13}  ", style="dim")
            text.append_text(safe_line(value, max_len=None))
            text.append("\n")
    return text


def _file_facts(review: FileReview) -> tuple[tuple[str, str], ...]:
    info = review.file
    share = info.percentage_of_license_text
    return (
        ("size", "" if info.size is None else f"{info.size:,} bytes"),
        ("sha256", info.sha256 or ""),
        ("sha1", info.sha1 or ""),
        ("type", info.file_type or ""),
        ("mime", info.mime_type or ""),
        ("language", info.programming_language or ""),
        ("license text", "" if share is None else f"{share:.1f} %"),
    )
