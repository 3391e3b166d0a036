from django import forms
from django.utils.translation import gettext_lazy as _

from .services import MAX_MINUTES, MAX_NOTE, MIN_MINUTES


class SlotForm(forms.Form):
    room = forms.ModelChoiceField(label=_("咨询室"), queryset=None, empty_label=None)
    start = forms.DateTimeField(label=_("开始时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    minutes = forms.IntegerField(label=_("时长（分钟）"), initial=50, min_value=MIN_MINUTES, max_value=MAX_MINUTES)

    def __init__(self, *args, rooms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms
        self.fields["room"].label_from_instance = lambda room: room.name


class NoteForm(forms.Form):
    text = forms.CharField(label=_("咨询记录（加密保存，仅您本人可见）"), max_length=MAX_NOTE,
                           widget=forms.Textarea(attrs={"rows": 5}))
