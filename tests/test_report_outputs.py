"""The report pipeline's outputs: the PDF read back with a real PDF reader (pypdf), HTML that
escapes register text and stands alone, golden files for Markdown and plain text, byte-identical
reprints of an issued report, and the ``tracker report`` command line.

Golden files live in tests/golden; after a deliberate change to a report's layout, rewrite them
with ``TRACKER_UPDATE_GOLDEN=1 pytest tests/test_report_outputs.py`` and read the diff."""

from __future__ import annotations

import io
import os
import re
from datetime import date
from pathlib import Path

import pytest
from conftest import run_cli
from pypdf import PdfReader
from pypdf.generic import ContentStream
from report_helpers import TODAY, complete, project_id, sql

from tracker.exports.table import INT, RAG, Column
from tracker.reports.document import Document, Heading, Note, Paragraph, TableBlock
from tracker.reports.render import render_bytes
from tracker.services import highlight

GOLDEN = Path(__file__).parent / "golden"
SECTIONS = (
    "1. Status summary",
    "2. RAG status",
    "3. This reporting period",
    "4. Next reporting period",
    "5. Tolerance status",
    "6. Requests for change",
    "7. Key issues and risks",
    "8. Decisions required from the board",
    "9. Lessons",
    "10. Budget summary",
)
AMBER_RGB = (1.0, 0xBF / 255, 0x47 / 255)


def golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("TRACKER_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with TRACKER_UPDATE_GOLDEN=1 to write it"
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def written_draft(db) -> Document:
    """Report 7 of the worked example with its narrative written (and saved)."""
    highlight.start_draft(db, "ICS", today=TODAY)
    view = highlight.reports_overview(db, "ICS", TODAY).draft
    raw = complete(view.raw, **{"project quality": "amber"})
    highlight.save_draft(db, "ICS", view.number, raw, opened_version=view.version, today=TODAY)
    return highlight.highlight_document(db, "ICS", today=TODAY)


def pdf_pages(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    return [page.extract_text() for page in reader.pages]


def flat(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- PDF


def test_the_pdf_reads_back_with_every_section_marked_and_numbered(demo_db):
    data = render_bytes(written_draft(demo_db), "pdf")
    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text() for page in reader.pages]
    assert 3 <= len(pages) <= 10
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # A4 portrait
    everything = flat(" ".join(pages))
    for heading in SECTIONS:
        assert heading in everything, heading
    for n, text in enumerate(pages, start=1):
        assert text.count("OFFICIAL") >= 2, f"page {n} lacks the marking top and bottom"
        assert f"Page {n} of {len(pages)}" in text
        assert "Project ICS" in text and "Period 01/02/2012 to 01/03/2012" in text
    assert "User acceptance testing started on 20/02/2012." in everything
    assert "Time and cost are at risk" in everything
    for word in ("Green", "Amber", "Red"):
        assert word in everything  # RAG in words, for a black-and-white print
    assert reader.metadata.title.startswith("Highlight report 7 (draft)")


def test_pdf_rag_cells_are_coloured(demo_db):
    reader = PdfReader(io.BytesIO(render_bytes(written_draft(demo_db), "pdf")))
    fills = set()
    for page in reader.pages:
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"rg":
                fills.add(tuple(round(float(v), 3) for v in operands))
    assert tuple(round(v, 3) for v in AMBER_RGB) in fills


def test_long_tables_split_across_pages_with_the_header_repeated():
    rows = tuple(
        (
            f"R-{n:03d}",
            f"Risk number {n} with a title long enough to wrap in its column " * 2,
            n % 25,
            ["green", "amber", "red"][n % 3],
        )
        for n in range(1, 181)
    )
    document = Document(title="Register extract", header=(("Project", "GEN001"),)).add(
        Heading("Risks"),
        TableBlock(
            (
                Column("ref", "Reference"),
                Column("title", "Risk title"),
                Column("score", "Score", INT),
                Column("rag", "RAG", RAG),
            ),
            rows,
        ),
        Paragraph("x " * 12_000),  # a very long paragraph splits too
        Note("The end."),
    )
    pages = pdf_pages(render_bytes(document, "pdf"))
    with_rows = [p for p in pages if re.search(r"R-\d{3}", p)]
    assert len(with_rows) >= 4
    for text in with_rows:
        assert "Reference" in text and "Risk title" in text  # the header row, every page
    joined = " ".join(pages)
    assert all(f"R-{n:03d}" in joined for n in range(1, 181))  # no row lost at a break
    assert "The end." in pages[-1] and f"Page {len(pages)} of {len(pages)}" in pages[-1]


def test_the_same_document_gives_the_same_pdf_bytes(demo_db):
    document = written_draft(demo_db)
    assert render_bytes(document, "pdf") == render_bytes(document, "pdf")


def test_huge_narrative_and_comments_still_print(demo_db):
    highlight.start_draft(demo_db, "ICS", today=TODAY)
    view = highlight.reports_overview(demo_db, "ICS", TODAY).draft
    raw = complete(
        view.raw,
        **{"status summary": "Long summary. " * 1400, "project risk comment": "Why. " * 390},
    )
    highlight.save_draft(demo_db, "ICS", view.number, raw, opened_version=view.version, today=TODAY)
    document = highlight.highlight_document(demo_db, "ICS", today=TODAY)
    pages = pdf_pages(render_bytes(document, "pdf"))
    assert len(pages) > 5 and "10. Budget summary" in flat(" ".join(pages))


# --------------------------------------------------------------------------- HTML


def test_html_escapes_register_text_and_stands_alone(demo_db):
    from tracker.services.risk_changes import change_risk

    hostile = "<script>alert('R-001')</script> & <b>bold</b>"
    change_risk(demo_db, "ICS", "R-001", {"title": hostile}, opened_version=None, today=TODAY)
    document = written_draft(demo_db)
    page = render_bytes(document, "html").decode()
    assert "<script" not in page.lower() and "<b>bold" not in page
    assert "&lt;script&gt;alert(&#x27;R-001&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold" in page
    assert not re.search(r"""(src|href)\s*=|https?://|<link|@import""", page)
    assert "size: A4" in page and "display: table-header-group" in page
    assert 'counter(page) " of " counter(pages)' in page
    markdown = render_bytes(document, "md").decode()
    assert "<script" not in markdown and "&lt;script&gt;" in markdown
    pdf_text = flat(" ".join(pdf_pages(render_bytes(document, "pdf"))))
    assert "<script>alert('R-001')</script>" in pdf_text
    text = render_bytes(document, "txt").decode()
    assert "<script>alert('R-001')</script>" in text  # plain text shows it as typed


def test_html_prose_keeps_the_managers_markdown_but_not_raw_html():
    document = Document(title="T").add(
        Paragraph("**Bold** and *italic*\n\n- one\n- two <img src=x onerror=alert(1)>")
    )
    page = render_bytes(document, "html").decode()
    assert "<strong>Bold</strong> and <em>italic</em>" in page
    assert "<li>two &lt;img src=x onerror=alert(1)&gt;</li>" in page
    assert "<img" not in page


# --------------------------------------------------------------------------- golden files


def test_golden_markdown_and_text_of_a_draft(demo_db):
    document = written_draft(demo_db)
    golden("highlight-report-7-draft.md", render_bytes(document, "md").decode())
    text = render_bytes(document, "txt").decode()
    golden("highlight-report-7-draft.txt", text)
    assert max(len(line) for line in text.splitlines()) <= 78


def test_golden_markdown_and_text_of_an_issued_report(demo_db):
    copy = highlight.report_document(demo_db, "ICS", 6)
    golden("highlight-report-6.md", render_bytes(copy.document, "md").decode())
    golden("highlight-report-6.txt", render_bytes(copy.document, "txt").decode())


def test_golden_quarterly_summary(demo_db):
    from tracker.domain.highlight import parse_quarter
    from tracker.services.quarterly import quarterly_document

    document = quarterly_document(demo_db, "ICS", parse_quarter("2011Q4"), today=TODAY)
    golden("quarterly-2011Q4.md", render_bytes(document, "md").decode())
    golden("quarterly-2011Q4.txt", render_bytes(document, "txt").decode())


# --------------------------------------------------------------------------- the command line


def test_issued_reports_reprint_byte_for_byte_after_the_registers_change(demo_db, tmp_path):
    from tracker.services.risk_changes import change_risk

    highlight.start_draft(demo_db, "ICS", today=TODAY)
    view = highlight.reports_overview(demo_db, "ICS", TODAY).draft
    issued = highlight.issue_report(
        demo_db, "ICS", view.number, complete(view.raw), opened_version=view.version, today=TODAY
    )
    sent = {fmt: render_bytes(issued.document, fmt) for fmt in ("md", "html", "pdf", "txt")}
    first = {}
    for fmt in sent:
        target = tmp_path / f"first.{fmt}"
        done = run_cli(
            "report",
            "highlight",
            "--project",
            "ICS",
            "--issued",
            "7",
            "--format",
            fmt,
            "--output",
            str(target),
            "--db",
            demo_db.url,
        )
        assert done.returncode == 0, done.stderr
        assert "wrote ICS highlight report 7" in done.stderr
        first[fmt] = target.read_bytes()
    assert first == sent  # the reprint is what was issued

    change_risk(
        demo_db, "ICS", "R-002", {"title": "Changed after issue"}, opened_version=None, today=TODAY
    )
    from sqlalchemy import text

    with demo_db.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE stage SET actual_cost_pence = 99000000 WHERE project_id = :p "
                "AND sequence = 3"
            ),
            {"p": project_id(demo_db)},
        )
    for fmt in sent:
        done = run_cli(
            "report",
            "highlight",
            "--project",
            "ICS",
            "--issued",
            "7",
            "--format",
            fmt,
            "--output",
            str(tmp_path / f"again.{fmt}"),
            "--db",
            demo_db.url,
        )
        assert done.returncode == 0, done.stderr
        assert (tmp_path / f"again.{fmt}").read_bytes() == sent[fmt], fmt
    stdout = run_cli(
        "report", "highlight", "--project", "ics", "--issued", "7", "-f", "md", "--db", demo_db.url
    )
    assert stdout.stdout.encode() == sent["md"]


def test_report_commands_print_every_format(demo_db, tmp_path):
    md = run_cli(
        "report",
        "highlight",
        "--project",
        "ICS",
        "--issued",
        "6",
        "--format",
        "md",
        "--db",
        demo_db.url,
    )
    assert md.returncode == 0 and md.stderr == ""
    assert md.stdout == (GOLDEN / "highlight-report-6.md").read_text(encoding="utf-8")
    pdf = subprocess_bytes(demo_db, "report", "highlight", "--project", "ICS", "--format", "pdf")
    assert pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-64:]
    text = run_cli(
        "report",
        "highlight",
        "--project",
        "ICS",
        "--period-end",
        "29/02/2012",
        "--format",
        "txt",
        "--db",
        demo_db.url,
    )
    assert text.returncode == 0 and "Period: 01/02/2012 to 29/02/2012" in text.stdout
    html = run_cli(
        "report",
        "quarterly",
        "--project",
        "ICS",
        "--quarter",
        "2011Q4",
        "--format",
        "html",
        "--db",
        demo_db.url,
    )
    assert html.returncode == 0 and "Quarterly summary 2011 Q4" in html.stdout
    quarterly = run_cli(
        "report", "quarterly", "--project", "ICS", "--quarter", "Q4 2011", "--db", demo_db.url
    )
    assert quarterly.returncode == 0 and quarterly.stdout.startswith("**OFFICIAL**")
    read_only = run_cli(
        "--read-only",
        "report",
        "highlight",
        "--project",
        "ICS",
        "--format",
        "md",
        "--db",
        demo_db.url,
    )
    assert read_only.returncode == 0 and "Highlight report 7 (draft)" in read_only.stdout


def subprocess_bytes(db, *args: str) -> bytes:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "tracker", *args, "--db", db.url],
        capture_output=True,
        timeout=120,
        env={**os.environ},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--project", "NOPE", "--format", "md"], 1, "no project with key 'NOPE'"),
        (["--project", "ICS", "--format", "doc"], 2, "unknown report format 'doc'"),
        (["--project", "ICS"], 2, "the following arguments are required: --format"),
        (
            ["--project", "ICS", "--issued", "6", "--period-end", "29/02/2012", "-f", "md"],
            2,
            "not allowed with argument",
        ),
        (["--project", "ICS", "--issued", "six", "-f", "md"], 2, "invalid int value"),
        (["--project", "ICS", "--issued", "0", "-f", "md"], 2, "give a report number"),
        (["--project", "ICS", "--issued", "42", "-f", "md"], 1, "ICS has no highlight report 42"),
        (
            ["--project", "ICS", "--period-end", "15/01/2012", "-f", "md"],
            1,
            "period end: 15/01/2012 is before the period start 01/02/2012",
        ),
        (["--project", "ICS", "--period-end", "next week", "-f", "md"], 1, "period end:"),
        (["--project", "ICS", "-f", "pdf", "-o", "/no/such/folder/r.pdf"], 2, "not a directory"),
    ],
)
def test_report_highlight_refuses_bad_input_in_one_line(demo_db, args, code, message):
    done = run_cli("report", "highlight", *args, "--db", demo_db.url)
    assert done.returncode == code
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_report_quarterly_refuses_a_bad_quarter(demo_db):
    done = run_cli(
        "report", "quarterly", "--project", "ICS", "--quarter", "2012Q5", "--db", demo_db.url
    )
    assert done.returncode == 1 and "quarter: '2012Q5' is not a quarter" in done.stderr


def test_a_pdf_is_not_written_to_a_terminal(demo_db, monkeypatch, capsys):
    from tracker.cli.main import main

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdout", Terminal())
    code = main(["report", "highlight", "--project", "ICS", "--format", "pdf", "--db", demo_db.url])
    assert code == 2
    assert "give --output FILE or redirect standard output" in capsys.readouterr().err


def test_the_worked_example_quarter_with_no_reports_still_prints(demo_db):
    done = run_cli(
        "report",
        "quarterly",
        "--project",
        "ICS",
        "--quarter",
        "2012Q3",
        "-f",
        "txt",
        "--db",
        demo_db.url,
    )
    assert done.returncode == 0
    assert "No highlight report issued to the board covers a period ending" in flat(done.stdout)
    assert date(2012, 7, 1).strftime("%B") in done.stdout


def test_draft_status_only_counts_what_is_in_the_database(demo_db):
    """The preview printed by the command line writes nothing."""
    before = sql(demo_db, "SELECT count(*) FROM audit_entry")[0][0]
    done = run_cli("report", "highlight", "--project", "ICS", "-f", "md", "--db", demo_db.url)
    assert done.returncode == 0
    assert sql(demo_db, "SELECT count(*) FROM audit_entry")[0][0] == before
    assert sql(demo_db, "SELECT count(*) FROM highlight_report WHERE status = 'draft'")[0][0] == 0


@pytest.mark.parametrize(
    "module",
    [
        "tracker.cli.main",
        "tracker.cli.reports",
        "tracker.services.highlight",
        "tracker.reports.render",
        "tracker.reports.highlight",
        "tracker.ui.screens.reports",
    ],
)
def test_reportlab_is_loaded_only_when_a_pdf_is_asked_for(module):
    import subprocess
    import sys

    code = f"import sys, {module}; print('reportlab' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
