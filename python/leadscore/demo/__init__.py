"""Demo data: the raw-contract generator and the HubSpot/Salesforce fixtures built from it."""
