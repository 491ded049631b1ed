/** What a person sees when the licensed monthly-active-user limit keeps them from signing in. */
export const USER_LIMIT = 'This service has reached its licensed number of users for this month, so new sign-ins are paused. Please contact the administrator of this service.';
