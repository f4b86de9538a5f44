-- Runs once, when postgres starts with an empty data volume.
CREATE TABLE notes (
    id   serial PRIMARY KEY,
    text text NOT NULL
);
INSERT INTO notes (text) VALUES ('created by postgres-init/01-schema.sql');
