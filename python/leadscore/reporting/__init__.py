"""Tools over a built database: the HTML report, the printed summary, the BI copy and the
CRM sync export. They read the marts; they never train or score."""
