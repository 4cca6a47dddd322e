-- The published agenda shows each speaker's company logo beside its name: the public address
-- of the company's current logo, as CompanyCreated/CompanyUpdated carry it.

alter table company_names add column logo_url varchar(1000);
