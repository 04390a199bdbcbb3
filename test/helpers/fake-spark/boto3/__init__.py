"""boto3.client("s3") over a local folder ($FAKE_S3_ROOT/<key>), with the calls the Glue job makes."""
import io
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


class _S3:
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

    def get_object(self, Bucket, Key):
        self._bucket(Bucket)
        _log("get_object", Key=Key)
        p = self._path(Key)
        if not os.path.isfile(p):
            raise NoSuchKey(Key)
        with open(p, "rb") as f:
            return {"Body": _Body(f.read())}

    def head_object(self, Bucket, Key):
        self._bucket(Bucket)
        _log("head_object", Key=Key)
        return {"ContentLength": os.path.getsize(self._path(Key))}

    def put_object(self, Bucket, Key, Body, ContentType=None):
        self._bucket(Bucket)
        _log("put_object", Key=Key)
        p = self._path(Key)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(Body if isinstance(Body, bytes) else Body.encode("utf-8"))
        return {}

    def copy_object(self, Bucket, Key, CopySource):
        self._bucket(Bucket)
        _log("copy_object", Key=Key, source=CopySource["Key"])
        self._bucket(CopySource["Bucket"])
        data = self.get_object(Bucket, CopySource["Key"])["Body"].read()
        return self.put_object(Bucket, Key, data)

    def _all_keys(self):
        for d, _dirs, files in os.walk(self.root):
            for name in files:
                yield os.path.relpath(os.path.join(d, name), self.root).replace(os.sep, "/")

    def list_objects_v2(self, Bucket, Prefix="", ContinuationToken=None):
        self._bucket(Bucket)
        _log("list_objects_v2", Prefix=Prefix)
        keys = sorted(k for k in self._all_keys() if k.startswith(Prefix))
        start = int(ContinuationToken or 0)
        page = keys[start:start + 2]  # tiny pages, so the job's paging is exercised
        out = {"Contents": [{"Key": k} for k in page], "IsTruncated": start + 2 < len(keys)}
        if out["IsTruncated"]:
            out["NextContinuationToken"] = str(start + 2)
        return out

    def delete_objects(self, Bucket, Delete):
        self._bucket(Bucket)
        _log("delete_objects", keys=[o["Key"] for o in Delete["Objects"]])
        for o in Delete["Objects"]:
            p = self._path(o["Key"])
            if os.path.isfile(p):
                os.remove(p)
        return {}


def client(service):
    if service != "s3":
        raise ValueError("the job only talks to S3, asked for %s" % service)
    return _S3(os.environ["FAKE_S3_ROOT"])
