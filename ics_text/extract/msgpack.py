"""Let spaCy's msgpack (srsly) carry our record classes.

Docs cross process boundaries as msgpack (``nlp.pipe(n_process=2)``, ``Doc.to_bytes``, DocBin with
user data); the findings our components put on them are dataclasses, which msgpack cannot encode
by itself. Importing this module registers one codec for every ``records.Record``.
"""

import srsly

from .. import records


def _encode_record(obj, chain=None):
    if isinstance(obj, records.Record):
        return {"__ics_record__": type(obj).__name__, "fields": obj.to_dict()}
    return obj if chain is None else chain(obj)


def _decode_record(obj, chain=None):
    if isinstance(obj, dict) and "__ics_record__" in obj:
        cls = getattr(records, obj["__ics_record__"], None)
        if cls is not None:
            return cls.from_dict(obj["fields"])
    return obj if chain is None else chain(obj)


srsly.msgpack_encoders.register("ics_text_records", func=_encode_record)
srsly.msgpack_decoders.register("ics_text_records", func=_decode_record)
