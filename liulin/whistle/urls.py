from django.urls import path

from .views import intake, kpi, public, queues, resident, ticket, whistles

app_name = "whistle"
urlpatterns = [
    path("", queues.home, name="home"),
    # intake
    path("console/", intake.console, name="console"),
    path("console/lookup/", intake.caller_lookup, name="caller_lookup"),
    path("new/", intake.resident_file, name="file"),
    path("new/similar/", intake.resident_similar, name="file_similar"),
    path("patrol/", intake.patrol, name="patrol"),
    path("t/<int:pk>/filed/", intake.filed, name="filed"),
    # queues
    path("queue/", queues.queue, name="queue"),
    path("queue/export.xlsx", queues.queue_export, name="queue_export"),
    path("work/", queues.worklist, name="worklist"),
    path("work/export.xlsx", queues.worklist_export, name="worklist_export"),
    path("board/", queues.board, name="board"),
    path("board/<slug:column>/", queues.board_column, name="board_column"),
    path("board/<slug:column>/export.xlsx", queues.board_column_export, name="board_column_export"),
    # one ticket
    path("t/<int:pk>/", ticket.ticket_detail, name="ticket"),
    path("t/<int:pk>/act/", ticket.ticket_act, name="act"),
    path("t/<int:pk>/withdraw/", ticket.ticket_withdraw, name="withdraw"),
    path("t/<int:pk>/comment/", ticket.ticket_comment, name="comment"),
    path("t/<int:pk>/urge/", ticket.ticket_urge, name="urge"),
    path("t/<int:pk>/escalate/", ticket.ticket_escalate, name="escalate"),
    path("t/<int:pk>/cosign/", ticket.ticket_cosign, name="cosign"),
    path("t/<int:pk>/merge/", ticket.ticket_merge, name="merge"),
    path("t/<int:pk>/callback/", ticket.ticket_callback, name="callback"),
    path("t/<int:pk>/photo/<int:photo_pk>/", ticket.photo, name="photo"),
    # residents
    path("mine/", resident.mine, name="mine"),
    # whistles
    path("whistles/", whistles.whistle_list, name="whistles"),
    path("whistles/ranking/", whistles.ranking, name="ranking"),
    path("whistles/ranking/export.xlsx", whistles.ranking_export, name="ranking_export"),
    path("summons/", whistles.summons_list, name="summons"),
    path("summons/<int:pk>/report/", whistles.summons_report, name="summons_report"),
    path("summons/<int:pk>/actions/", whistles.summons_actions, name="summons_actions"),
    path("summons/<int:pk>/verify/", whistles.summons_verify, name="summons_verify"),
    path("summons/<int:pk>/rate/", whistles.summons_rate, name="summons_rate"),
    # 三率 KPIs and recurring problems (views/kpi.py)
    path("kpi/", kpi.dashboard, name="kpi"),
    path("kpi/export.xlsx", kpi.dashboard_export, name="kpi_export"),
    path("kpi/ranking/", kpi.ranking, name="kpi_ranking"),
    path("kpi/ranking/export.xlsx", kpi.ranking_export, name="kpi_ranking_export"),
    path("kpi/public/", kpi.public, name="kpi_public"),
    path("recurring/", kpi.recurring_list, name="recurring"),
    path("recurring/task/", kpi.recurring_task, name="recurring_task"),
    # public
    path("public/", public.transparency, name="public"),
]
