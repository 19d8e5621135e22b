"""Hikvision ISAPI: alerts, alertStream assembly, plate log (catch-up) and the HTTP client.

Modules: ``documents`` (the error, safe XML, times), ``alerts`` (``EventNotificationAlert``),
``assembler`` (alerts joined with their pictures), ``plate_log`` (catch-up) and ``client``
(``IsapiClient``). Source: ``docs/protocols.md``, "Hikvision ISAPI".
"""
