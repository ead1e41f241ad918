"""schemathesis hooks for scripts/schemathesis (loaded through SCHEMATHESIS_HOOKS).

`POST /api/v1/catalogues` takes the catalogue's TOML text as `application/toml`; schemathesis has
no serializer for it and would report "Serialization not possible" instead of testing the
operation. The body is text, so it is sent the way `text/plain` bodies are.
"""

import schemathesis

schemathesis.serializer.alias("application/toml", "text/plain")
