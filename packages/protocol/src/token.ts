/** Claims of the JWT returned by `auth.login`. The SDK decodes (never verifies) it and reads these. */
export interface Identity {
  user: string;
  user_name: string;
  company: string;
  company_name: string;
  role: 'admin' | 'user' | 'system';
}

export interface TokenClaims {
  identity: Identity;
  iat: number;
  exp: number;
  env: string;
  api_version: string;
  server_version: string;
  server_build: string;
  feature_set: 'basic';
}
