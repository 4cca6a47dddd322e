-- The company directory keeps the public address of each company's current logo, as
-- CompanyCreated/CompanyUpdated carry it (the content saga sets it in the companies context).

alter table company_directory add column logo_url varchar(1000);
