"""Peru specifics, one module each: the Lima clock (:mod:`.clock`), business days and
public holidays (:mod:`.business_days`), districts (:mod:`.ubigeo`) and identity
documents (:mod:`.documentos`). Pure Python: no Flask, no database."""
