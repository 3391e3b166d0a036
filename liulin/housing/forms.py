"""Forms of housing's pages. The application form is built from the round's rules (data): a
yes/no question per `yes`/`no` rule and a whole number per `max`/`min` rule; amounts whose key
ends in `_fen` are asked in yuan and stored in fen. The same holds for the limits the
manager types when he opens a round, and for the tenant's answers when he asks to renew.

A new round is one form and two sets of rows (conditions, tiers): blank rows are left out,
and the service checks the rest (services.clean_round_rules / clean_round_tiers); an error
it names by row ("rules.<i>.<column>") is shown on that row."""

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from liulin.core import workorders

from .models import Inspection, Rule

YES_NO = [("", "—"), ("yes", _("是")), ("no", _("否"))]


class RuleAnswersForm(forms.Form):
    """A question per rule of `round`; `answers()` gives them as the rules read them."""

    def __init__(self, *args, round, answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = list(round.rules.all())
        for rule in self.rules:
            name = f"answer_{rule.key}"
            if rule.kind in (Rule.Kind.YES, Rule.Kind.NO):
                self.fields[name] = forms.ChoiceField(label=rule.label, choices=YES_NO)
            elif rule.key.endswith("_fen"):
                self.fields[name] = forms.IntegerField(label=rule.label, min_value=0, max_value=10**9,
                                                       help_text=_("单位：元"))
            else:
                self.fields[name] = forms.IntegerField(label=rule.label, min_value=0, max_value=10**9)
            self.fields[name].rule = rule
            if answers and rule.key in answers:
                self.initial[name] = self._shown(rule, answers[rule.key])

    @staticmethod
    def _shown(rule, value):
        """A stored answer as its field shows it (yes / no, yuan for fen)."""
        if rule.kind in (Rule.Kind.YES, Rule.Kind.NO):
            return "yes" if value is True else "no" if value is False else ""
        if isinstance(value, bool) or not isinstance(value, int):
            return None
        return value // 100 if rule.key.endswith("_fen") else value

    def answers(self):
        found = {}
        for rule in self.rules:
            value = self.cleaned_data.get(f"answer_{rule.key}")
            if rule.kind in (Rule.Kind.YES, Rule.Kind.NO):
                found[rule.key] = value == "yes"
            elif rule.key.endswith("_fen"):
                found[rule.key] = int(value) * 100
            else:
                found[rule.key] = int(value)
        return found

    def rule_fields(self):
        return [self[f"answer_{rule.key}"] for rule in self.rules]

    def field_of(self, error):
        """The form field a domain error names (a rule's key, or term_months), if any."""
        name = error.field and f"answer_{error.field}"
        return name if name in self.fields else error.field if error.field in self.fields else None


class ApplyForm(RuleAnswersForm):
    tier = forms.ChoiceField(label=_("人才层次"))

    def __init__(self, *args, round, **kwargs):
        super().__init__(*args, round=round, **kwargs)
        self.fields["tier"].choices = [("", "—")] + [(t.code, t.label) for t in round.tiers.all()]
        self.order_fields(["tier"])


class RenewalForm(RuleAnswersForm):
    """The answers as they stand now and the term asked for: the tenant's request, and the
    manager's renewal (prefilled from the open request, or the lease's application)."""

    term_months = forms.IntegerField(label=_("续租期限（月）"), min_value=1, max_value=60, initial=36,
                                     help_text=_("1 至 60 个月（不超过 5 年）。"))


class RoundForm(forms.Form):
    community = forms.ModelChoiceField(label=_("社区"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("批次名称"), max_length=100)
    offer_days = forms.IntegerField(label=_("选房答复期限（天）"), min_value=1, max_value=60, initial=7,
                                    help_text=_("通知选房后，轮候人须在此天数内答复，逾期视为放弃。"))

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class RuleRowForm(forms.Form):
    """One condition. Every column is optional here: a row left blank is no condition."""

    key = forms.CharField(label=_("代码"), max_length=32, required=False)
    label = forms.CharField(label=_("条件"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("规则"), required=False, choices=[("", "—"), *Rule.Kind.choices])
    limit = forms.IntegerField(label=_("限值"), required=False, min_value=0, max_value=10**10)
    document = forms.CharField(label=_("证明材料"), max_length=100, required=False)

    def is_blank(self):
        return not any(str(self.cleaned_data.get(name) or "").strip() for name in self.fields)

    def row(self):
        data = self.cleaned_data
        key, limit = (data.get("key") or "").strip(), data.get("limit")
        if limit is not None and key.endswith("_fen"):
            limit *= 100
        return (key, data.get("label") or "", data.get("kind") or "", limit, data.get("document") or "")


class TierRowForm(forms.Form):
    code = forms.CharField(label=_("代码"), max_length=32, required=False)
    label = forms.CharField(label=_("人才层次"), max_length=100, required=False)
    group = forms.IntegerField(label=_("优先组"), required=False, min_value=0, max_value=99)

    def is_blank(self):
        return not any(str(self.cleaned_data.get(name) if self.cleaned_data.get(name) is not None else "").strip()
                       for name in self.fields)

    def row(self):
        data = self.cleaned_data
        return ((data.get("code") or "").strip(), data.get("label") or "", data.get("group"))


RuleRows = formset_factory(RuleRowForm, extra=0, max_num=30, absolute_max=30, validate_max=True)
TierRows = formset_factory(TierRowForm, extra=0, max_num=10, absolute_max=10, validate_max=True)
RULE_ROWS, TIER_ROWS, MORE_ROWS = 5, 3, 3


class NewRound:
    """The round form and its rows of conditions and tiers, together."""

    def __init__(self, data=None, *, communities, rule_rows=RULE_ROWS, tier_rows=TIER_ROWS):
        self.form = RoundForm(data, communities=communities)
        if data is None:
            self.rules = RuleRows(prefix="rules")
            self.rules.extra = rule_rows
            self.tiers = TierRows(prefix="tiers")
            self.tiers.extra = tier_rows
        else:
            self.rules = RuleRows(data, prefix="rules")
            self.tiers = TierRows(data, prefix="tiers")
        self._rule_index, self._tier_index = [], []

    def is_valid(self):
        valid = [self.form.is_valid(), self.rules.is_valid(), self.tiers.is_valid()]
        return all(valid)

    @staticmethod
    def with_more_rows(data, which):
        """A copy of the posted `data` with MORE_ROWS blank rows added to `which` (rules or tiers)."""
        data = data.copy()
        limit = {"rules": RuleRows.absolute_max, "tiers": TierRows.absolute_max}.get(which)
        if limit is not None:
            key = f"{which}-TOTAL_FORMS"
            count = int(data.get(key)) if str(data.get(key, "")).isdigit() else 0
            data[key] = str(min(count + MORE_ROWS, limit))
        return data

    def rule_rows(self):
        rows = [(i, f) for i, f in enumerate(self.rules.forms) if not f.is_blank()]
        self._rule_index = [i for i, _f in rows]
        return [f.row() for _i, f in rows]

    def tier_rows(self):
        rows = [(i, f) for i, f in enumerate(self.tiers.forms) if not f.is_blank()]
        self._tier_index = [i for i, _f in rows]
        return [f.row() for _i, f in rows]

    def add_error(self, error):
        """Show a domain error where it belongs: on its row's column, on the rows, or on the form."""
        parts = (error.field or "").split(".")
        if len(parts) == 3 and parts[0] in ("rules", "tiers") and parts[1].isdigit():
            rows, index = (self.rules, self._rule_index) if parts[0] == "rules" else (self.tiers, self._tier_index)
            position = int(parts[1])
            if position < len(index):
                form = rows.forms[index[position]]
                form.add_error(parts[2] if parts[2] in form.fields else None, error.detail)
                return
        if parts[0] in ("rules", "tiers") and len(parts) == 1:
            self.row_errors = {**getattr(self, "row_errors", {}), parts[0]: error.detail}
            return
        self.form.add_error(error.field if error.field in self.form.fields else None, error.detail)


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("证明文件（图片或 PDF）"))


class ReasonForm(forms.Form):
    action = forms.CharField(max_length=32)
    reason = forms.CharField(label=_("原因"), max_length=500, required=False)


class DrawForm(forms.Form):
    action = forms.ChoiceField(choices=[("draw", "draw"), ("rerun", "rerun")])
    public_value = forms.CharField(label=_("公开随机值"), max_length=200,
                                   help_text=_("名单哈希公布后由外部公开产生、无人能控制的值，例如指定一期双色球的开奖号码。"))
    reason = forms.CharField(label=_("重新摇号原因"), max_length=500, required=False)


class InspectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Inspection.Kind.choices)
    notes = forms.CharField(label=_("备注"), max_length=500, required=False)
    description = forms.CharField(label=_("发现的问题（没有则留空）"), max_length=300, required=False)
    photo = forms.ImageField(label=_("问题照片"), required=False)
    category = forms.ChoiceField(label=_("维修工单类别"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—")] + [(code, label) for code, label in workorders.categories()]
        self.fields["category"].widget.attrs["translate"] = "no"  # the work order categories are data

    def defects(self):
        description = self.cleaned_data.get("description", "").strip()
        if not description:
            return []
        photo = self.cleaned_data.get("photo")
        return [(description, [photo] if photo else [])]
