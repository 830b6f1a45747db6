"""graphqlwire.contrib: integrations with optional third-party libraries.

Each module imports its library when it is imported itself, never before; the rest of
graphqlwire imports nothing from here. ``opentelemetry``: `OpenTelemetryExtension`
(``pip install 'graphqlwire[opentelemetry]'``).
"""
