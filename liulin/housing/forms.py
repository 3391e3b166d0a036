"""Forms of housing's pages. The application form is built from the round's rules (data): a
yes/no question per `yes`/`no` rule and a whole number per `max`/`min` rule; amounts whose key
ends in `_fen` are asked in yuan and stored in fen."""

from django import forms
from django.utils.translation import gettext_lazy as _

from liulin.core import workorders

from .models import Inspection, Rule

YES_NO = [("", "—"), ("yes", _("是")), ("no", _("否"))]


class ApplyForm(forms.Form):
    tier = forms.ChoiceField(label=_("人才层次"))

    def __init__(self, *args, round, **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = list(round.rules.all())
        self.fields["tier"].choices = [("", "—")] + [(t.code, t.label) for t in round.tiers.all()]
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

    def defects(self):
        description = self.cleaned_data.get("description", "").strip()
        if not description:
            return []
        photo = self.cleaned_data.get("photo")
        return [(description, [photo] if photo else [])]
