-- When a speaker was erased: the row (and so every assignment and the agendas' speaker ids)
-- stays with neutral values.

alter table speakers add column erased_at timestamptz;
