from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "liulin.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        from .tasks import register_periodic

        # Keys live 24 h; an hourly purge keeps the table at about a day of requests.
        register_periodic("core.purge_idempotency_keys", every=3600, command="purge_idempotency_keys")
        # A recount that differs fails the job, so the runner's log shows the drift.
        register_periodic("core.check_counters", every=24 * 3600, command="check_counters")
