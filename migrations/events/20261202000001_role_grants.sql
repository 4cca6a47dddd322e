-- The platform's role grants in the shape every service reads them (`role_grants`): here
-- they are the events context's own `user_roles`, so a grant or revocation works in this
-- service the moment it commits.

create view role_grants as
select id as role_id, user_id, role, event_id, is_active as active,
       coalesce(revoked_at, granted_at) as changed_at
from user_roles;
