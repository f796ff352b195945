"""theano.sparse.sandbox.sp2: the random sparse ops. They live in hypatia.sparse (see
docs/semantics.md, "Random numbers": they take an explicit seed or random stream); this module re-exports them
under the sandbox's names."""
from .. import Binomial, Multinomial, Poisson, multinomial, poisson
from .. import csc_fbinomial, csc_dbinomial, csr_fbinomial, csr_dbinomial

__all__ = ["Binomial", "Multinomial", "Poisson", "poisson", "multinomial",
           "csc_fbinomial", "csc_dbinomial", "csr_fbinomial", "csr_dbinomial"]
