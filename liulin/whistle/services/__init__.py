"""雷锋哨 write services, one module per responsibility: `transitions` (the workflow),
`intake`, `whistles`, `callbacks`. Import the module you need:
`from liulin.whistle.services import transitions`."""
