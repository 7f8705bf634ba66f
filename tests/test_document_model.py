from datetime import date

from tracker.exports.table import DATE, MONEY, RAG, Column
from tracker.reports.document import Document, Facts, Heading, Note, Paragraph, TableBlock
from tracker.reports.markdown import render_markdown


def sample() -> Document:
    return Document(
        title="Highlight report 6",
        subtitle="Integrated Children's System replacement",
        header=(("Project", "ICS"), ("Period", "01/01/2012 to 31/01/2012")),
    ).add(
        Heading("Status summary"),
        Paragraph("Implementation is **amber** on time.\n\n- Trial load 2 complete"),
        Facts((("Stage", "Implementation"), ("Author", "Helen Marsh"))),
        TableBlock(
            (
                Column("aspect", "Aspect"),
                Column("rag", "RAG", RAG),
                Column("due", "Due", DATE),
                Column("cost", "Cost", MONEY),
            ),
            (("Time", "amber", date(2012, 4, 8), 120_500_000), ("Cost | <b>", "green", None, None)),
        ),
        TableBlock((Column("x", "X"),), (), empty="No requests for change this period."),
        Note("Ratings are measured against the stage plan approved on 14/09/2011."),
    )


def test_a_document_round_trips_through_json_exactly():
    document = sample()
    again = Document.from_json(document.to_json())
    assert again == document
    assert render_markdown(again) == render_markdown(document)


def test_markdown_rendering_escapes_cells_and_marks_the_document():
    text = render_markdown(sample())
    lines = text.splitlines()
    assert lines[0] == "**OFFICIAL**" and lines[-1] == "**OFFICIAL**"
    assert "# Highlight report 6" in lines
    assert "| Time | Amber | 08/04/2012 | £1,205,000 |" in lines
    assert "| Cost \\| &lt;b&gt; | Green |  |  |" in lines
    assert "No requests for change this period." in lines
