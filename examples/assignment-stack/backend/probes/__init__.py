"""One probe per database: each talks the database's own protocol, by service name."""
