/** `application/json` or any `+json` suffix (§13.3), parameters ignored. */
export function isJsonContentType(contentType: string | null | undefined): boolean {
  const essence = mediaType(contentType);
  return essence === 'application/json' || essence.endsWith('+json');
}

/** `text/*` (§13.3). */
export function isTextContentType(contentType: string | null | undefined): boolean {
  return mediaType(contentType).startsWith('text/');
}

function mediaType(contentType: string | null | undefined): string {
  if (!contentType) return '';
  const semicolon = contentType.indexOf(';');
  return (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}
