"""boto3.client("s3") over a local folder ($FAKE_S3_ROOT/<key>), with the calls the Glue job makes.

Every call goes through a real botocore S3 client (botocore's service model of S3, its parameter customizations such as
a dict CopySource, and its ParamValidator: unknown parameters, missing required members, wrong types, enums, lengths
and ranges raise ParamValidationError, as boto3 would before sending anything). Only the HTTP exchange is replaced:
a `before-call` handler answers from the local folder, so nothing leaves the machine. botocore must be importable
(the machine's python3 ships it; .ci/run installs Debian's python3-botocore where it does not).
"""
import copy
import os


class _Body:
    def __init__(self, data):
        self._data = data

    def read(self):
        return self._data


class NoSuchKey(Exception):
    pass


def _log(op, **fields):
    out = os.environ.get("FAKE_S3_LOG")
    if out:
        import json

        with open(out, "a", encoding="utf-8") as f:
            f.write(json.dumps(dict(fields, op=op)) + "\n")


class _Folder:
    """The S3 operations the job uses, over a local folder, with the parameters botocore validated."""

    def __init__(self, root):
        self.root = root

    def _path(self, key):
        p = os.path.normpath(os.path.join(self.root, key))
        if not p.startswith(os.path.normpath(self.root)):
            raise ValueError("key outside the bucket: %s" % key)
        return p

    def _bucket(self, Bucket):
        want = os.environ.get("FAKE_S3_BUCKET")
        if want and Bucket != want:
            raise ValueError("the job addressed bucket %s, not %s" % (Bucket, want))

    def GetObject(self, Bucket, Key):
        self._bucket(Bucket)
        _log("get_object", Key=Key)
        p = self._path(Key)
        if not os.path.isfile(p):
            raise NoSuchKey(Key)
        with open(p, "rb") as f:
            return {"Body": _Body(f.read())}

    def HeadObject(self, Bucket, Key):
        self._bucket(Bucket)
        _log("head_object", Key=Key)
        return {"ContentLength": os.path.getsize(self._path(Key))}

    def _put(self, Key, data):
        p = self._path(Key)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)

    def PutObject(self, Bucket, Key, Body=b"", ContentType=None):
        self._bucket(Bucket)
        _log("put_object", Key=Key)
        self._put(Key, Body if isinstance(Body, bytes) else Body.encode("utf-8"))
        return {}

    def CopyObject(self, Bucket, Key, CopySource):
        # The parameters as the job passed them (before botocore turns a dict CopySource into "bucket/key").
        if not isinstance(CopySource, dict):
            raise NotImplementedError("fake boto3: CopySource as a dict {Bucket, Key}")
        self._bucket(Bucket)
        _log("copy_object", Key=Key, source=CopySource["Key"])
        self._bucket(CopySource["Bucket"])
        p = self._path(CopySource["Key"])
        if not os.path.isfile(p):
            raise NoSuchKey(CopySource["Key"])
        with open(p, "rb") as f:
            self._put(Key, f.read())
        return {}

    def _all_keys(self):
        for d, _dirs, files in os.walk(self.root):
            for name in files:
                yield os.path.relpath(os.path.join(d, name), self.root).replace(os.sep, "/")

    def ListObjectsV2(self, Bucket, Prefix="", ContinuationToken=None):
        self._bucket(Bucket)
        _log("list_objects_v2", Prefix=Prefix)
        keys = sorted(k for k in self._all_keys() if k.startswith(Prefix))
        start = int(ContinuationToken or 0)
        page = keys[start:start + 2]  # tiny pages, so the job's paging is exercised
        out = {"Contents": [{"Key": k} for k in page], "IsTruncated": start + 2 < len(keys)}
        if out["IsTruncated"]:
            out["NextContinuationToken"] = str(start + 2)
        return out

    def DeleteObjects(self, Bucket, Delete):
        self._bucket(Bucket)
        _log("delete_objects", keys=[o["Key"] for o in Delete["Objects"]])
        for o in Delete["Objects"]:
            p = self._path(o["Key"])
            if os.path.isfile(p):
                os.remove(p)
        return {}


class _Ok:
    """The HTTP response botocore expects back from a before-call handler."""
    status_code = 200
    headers = {}


def client(service):
    if service != "s3":
        raise ValueError("the job only talks to S3, asked for %s" % service)
    import botocore.config
    import botocore.session

    folder = _Folder(os.environ["FAKE_S3_ROOT"])
    s3 = botocore.session.get_session().create_client(
        "s3", region_name="us-east-1", aws_access_key_id="fake", aws_secret_access_key="fake",
        config=botocore.config.Config(parameter_validation=True),
    )

    def keep_params(params, context, **_):
        # First of the before-parameter-build handlers: the parameters exactly as the job gave them.
        context["fake_params"] = copy.deepcopy(params)

    def answer(model, context, **_):
        # Reached only after botocore validated the parameters against the model (ParamValidator).
        handler = getattr(folder, model.name, None)
        if handler is None:
            raise NotImplementedError("fake boto3: S3 %s is not modelled" % model.name)
        params = {k: v for k, v in context["fake_params"].items() if not (k == "EncodingType" and v == "url")}
        return _Ok(), handler(**params)

    s3.meta.events.register_first("before-parameter-build.s3.*", keep_params)
    s3.meta.events.register("before-call.s3.*", answer)
    return s3
