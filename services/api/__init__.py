"""The JSON API's domain: clients and their tokens (`clients`), the change feed the supplier's
systems pull (`feed`, noted by the services where the changes happen), the records each pull
topic serves (`topics`), and pushing records through the import code (`push`)."""
