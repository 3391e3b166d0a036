"""The monthly subsidy claim to civil affairs as files: xlsx (core.xlsx, every cell
neutralised) and PDF (WeasyPrint, CJK fonts). Both are rendered from the claim's lines as they
stand, with the totals and the SHA-256 recorded when the claim was made; `intact` says whether
the lines still hash to it (a meal cancelled after the claim shows as a mismatch)."""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from liulin.core import xlsx
from liulin.core.money import format_fen

from .selectors import claim_lines, claim_totals
from .services import claim_hash


def claim_content(claim):
    lines = claim_lines(claim.canteen, claim.month)
    totals = claim_totals(lines)
    return lines, totals, claim_hash(lines, totals) == claim.sha256


def HEADER():
    return [_("序号"), _("就餐人"), _("身份证号（脱敏）"), _("年龄"), _("身份"), _("日期"), _("餐次"), _("补贴标准版本"),
            _("餐价（元）"), _("补贴（元）"), _("身份核验"), _("点餐方式")]


def _row(i, line):
    return [i, line["name"], line["id_masked"], line["age"], line["status"], line["day"], line["meal"], line["rule_version"],
            format_fen(line["price_fen"]), format_fen(line["subsidy_fen"]), line["identified_by"], line["channel"]]


def claim_xlsx(claim):
    lines, totals, intact = claim_content(claim)
    rows = [_row(i, line) for i, line in enumerate(lines, 1)]
    summary = [
        [_("食堂"), claim.canteen.name], [_("月份"), claim.month.strftime("%Y-%m")], [_("笔数"), totals["lines"]],
        [_("餐价合计（元）"), format_fen(totals["price_fen"])], [_("补贴合计（元）"), format_fen(totals["subsidy_fen"])],
        [_("SHA-256"), claim.sha256], [_("与申领时一致"), _("是") if intact else _("否")],
    ]
    out, _count = xlsx.write_sheets([(_("补贴明细"), HEADER(), rows), (_("汇总"), [_("项目"), _("内容")], summary)])
    return out


def claim_pdf(claim):
    from weasyprint import HTML

    lines, totals, intact = claim_content(claim)
    html = render_to_string("canteen/claim_pdf.html", {
        "claim": claim, "header": HEADER(), "rows": [_row(i, line) for i, line in enumerate(lines, 1)],
        "totals": {k: format_fen(v) if k != "lines" else v for k, v in totals.items()}, "intact": intact})
    return HTML(string=html).write_pdf()
