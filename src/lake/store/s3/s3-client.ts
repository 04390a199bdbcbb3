// Builds the S3 client for the lake from plain settings: region, endpoint (MinIO, s3rver), path style, checksums.
import { S3Client } from '@aws-sdk/client-s3';
import type { S3ClientSettings } from './s3-store-config.js';

export function createS3Client(settings: S3ClientSettings): S3Client {
  return new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle ?? false,
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    maxAttempts: settings.maxAttempts ?? 3,
    // The SDK's default (WHEN_SUPPORTED) sends streamed bodies aws-chunked with a checksum trailer; S3-compatible
    // servers that do not speak it (s3rver, older MinIO) store the trailer as content. Checksums stay on where the
    // API requires them (DeleteObjects).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
