// How Glue answers a Get of what a Create/Update stored, where it does not echo the input: one answer for both fakes
// of Glue (the mocked SDK clients of test/aws-engine.test.ts and the HTTP fake of test/helpers/fake-aws.ts).

/**
 * GetCrawler's `Crawler` for one created (or updated) with `stored`: like AWS, the role comes back as its name
 * (CreateCrawler took the ARN), and with fields nobody set (state, last crawl, empty target lists).
 */
export function crawlerReply(name: unknown, stored: Record<string, unknown>): Record<string, unknown> {
  return {
    ...stored,
    Name: name,
    Role: String(stored.Role).replace(/^arn:aws:iam::\d{12}:role\//, ''),
    State: 'READY',
    LastCrawl: { Status: 'SUCCEEDED' },
    Targets: { S3Targets: [], JdbcTargets: [], ...(stored.Targets as object) },
    CrawlElapsedTime: 0,
  };
}
