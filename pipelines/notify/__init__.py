"""`kpi notify`: tell people what happened, once per event, by e-mail and optionally a webhook."""
