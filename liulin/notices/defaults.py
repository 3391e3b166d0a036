"""The default notice kinds and their periods (docs/notices.md has the sources); a community
changes them in admin."""

KINDS = [
    # code, name, period days, basis, answer days, basis, source
    ("dibao", "低保审核确认公示", 7, "calendar", 15, "working",
     "《最低生活保障审核确认办法》（民发〔2021〕57号）：在申请人所在社区公示，公示期 7 天；有异议的，15 个工作日内重新调查核实"),
    ("four_two", "四议两公开决议公开", 7, "calendar", 3, "calendar",
     "“四议两公开”工作法：决议公开不少于 7 天，异议 3 日内答复（与议事应用一致）"),
    ("owners_decision", "业主大会、业主委员会决定公告", 7, "calendar", 3, "working",
     "《业主大会和业主委员会指导规则》：决定作出之日起 3 日内公告；公告期按社区惯例 7 天，可在后台调整"),
    ("affairs", "居务公开（常规）", 7, "calendar", 5, "working",
     "《城市居民委员会组织法》第十条：居务公开；公示期按社区惯例，可在后台调整"),
    ("housing_qualification", "公共租赁住房资格审核公示", 5, "working", 5, "working",
     "《公共租赁住房管理办法》（住房和城乡建设部令第11号）第十三条：审核合格的申请人予以公示，无异议或异议不成立的登记为轮候对象；公示期按本市惯例 5 个工作日，可在后台调整"),
    ("owners_meeting", "业主共同决定事项表决公告", 15, "calendar", 3, "working",
     "《业主大会和业主委员会指导规则》：召开业主大会会议，应当于会议召开 15 日以前通知全体业主；本小区议事规则规定更长的，从其规定"),
    ("selection", "评选结果公示", 5, "calendar", 3, "working",
     "好家风等群众性评选：结果公示不少于 5 天，异议 3 个工作日内答复（社区惯例，可在后台调整）"),
]



def ensure_kinds(NoticeKind):
    """Create the default kinds a database lacks (used by the migration and the demo seed)."""
    for code, name, days, basis, answer, answer_basis, source in KINDS:
        NoticeKind.objects.get_or_create(code=code, defaults={
            "name": name, "period_days": days, "period_basis": basis, "answer_days": answer, "answer_basis": answer_basis,
            "source": source})
