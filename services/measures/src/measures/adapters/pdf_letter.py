"""Renders the closure letter as a PDF (fpdf2, core fonts: Latin-1 covers French and German).

Compression is off so the letter's text can be checked in tests and indexed by archive tools.
"""

from fpdf import FPDF

from ..domain.letter import ClosureLetter


def render_pdf(letter: ClosureLetter) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_compression(False)
    pdf.set_title(letter.subject)
    pdf.set_author(letter.sender)
    pdf.set_lang(letter.language)
    pdf.add_page()
    pdf.set_margins(25, 25, 25)
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(0, 6, letter.sender, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)
    pdf.ln(20)
    pdf.cell(0, 6, letter.place_and_date, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, letter.reference, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("helvetica", "B", 12)
    pdf.cell(0, 8, letter.subject, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 11)
    pdf.ln(4)
    pdf.multi_cell(0, 6, letter.salutation, new_x="LMARGIN", new_y="NEXT")
    for paragraph in letter.paragraphs:
        pdf.ln(3)
        pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.multi_cell(0, 6, letter.closing, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.multi_cell(0, 6, letter.signature, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
