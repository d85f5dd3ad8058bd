/** What the demo keeps in the session. */
export interface AppSession {
  username: string;
  logged_in: boolean;
  cart: string[];
}
