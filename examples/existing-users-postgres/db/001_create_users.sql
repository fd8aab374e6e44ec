-- The app's OWN migration, from before it used authmount: its users table, with its own column names,
-- and two users whose passwords the old code hashed with bcrypt (alice by Node's bcrypt, bob by PHP's
-- password_hash(), hence $2y$). authmount does not own this table and adds no column to it.
CREATE TABLE users (
  id serial PRIMARY KEY,
  username varchar(64) NOT NULL UNIQUE,
  email text UNIQUE,
  password_digest text NOT NULL,
  display_name text,
  created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO users (username, email, password_digest, display_name) VALUES
  ('alice', 'alice@example.com', '$2b$10$B8FGXoxCmO7bW4CYw1YKJe9O2Ih9MApJ6L.1x2rlecV5N8/uG7G2e', 'Alice Liddell'),
  ('bob', 'bob@example.com', '$2y$10$Yo8lSctMXKm5MXRUfPF6nuuc70XHGB4TPwXZboDIuCi2kk0VpNsEy', 'Bob Builder');
