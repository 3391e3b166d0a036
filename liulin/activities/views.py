from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def activity_list(request):
    return render(request, "activities/list.html", {})


@login_required
def mine(request):
    return render(request, "activities/mine.html", {})
