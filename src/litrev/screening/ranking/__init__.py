"""Prioritised screening: the relevance-ranking models, the protocol prior, simulation on labelled
reviews, their metrics and the stopping rules.

The screening workflow (`litrev.screening`: decisions, allocation, conflicts) uses these through
`litrev.screening.queue`; nothing here touches the store except `embedding_cache`, which keeps
sentence embeddings per record.

>>> from litrev.screening.ranking.model import make_model
>>> make_model("default").components
('svm',)
"""
