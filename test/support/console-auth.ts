/**
 * Signing the built console in, for end-to-end tests (issue 13): every console starts signed out.
 * On a fresh workspace the console asks for the first admin; afterwards it shows the sign-in form;
 * a tab that signed in before (a reload) takes its session up by itself.
 */
import type { Page } from 'playwright-core';

export const E2E_ADMIN = { username: 'e2e-admin', password: 'e2e-password-1' };

/** Signs `page` in as `user` (default the e2e admin, made through the first-admin form when none exists). */
export async function signInConsole(
  page: Page,
  user: { username: string; password: string } = E2E_ADMIN,
): Promise<void> {
  const signedIn = page.getByTestId('signed-in-user');
  const firstAdmin = page.getByTestId('first-admin-page');
  const signIn = page.getByTestId('sign-in-page');
  await signedIn.or(firstAdmin).or(signIn).first().waitFor({ timeout: 30_000 });
  if (await signedIn.isVisible()) return;
  if ((await firstAdmin.isVisible()) && user.username !== E2E_ADMIN.username) {
    // No admin yet: make the e2e admin first, then sign in as the user asked for.
    await signInConsole(page, E2E_ADMIN);
    await page.getByTestId('sign-out').click();
    await signIn.waitFor({ timeout: 30_000 });
  }
  await page.getByTestId('auth-username').fill(user.username);
  await page.getByTestId('auth-password').fill(user.password);
  if (await firstAdmin.isVisible()) await page.getByTestId('auth-confirm').fill(user.password);
  await page.getByTestId('auth-submit').click();
  await signedIn.waitFor({ timeout: 30_000 });
}

/** Signs out whoever is signed in at `page` and signs `user` in (the page stays where it was). */
export async function switchUser(
  page: Page,
  user: { username: string; password: string },
): Promise<void> {
  const signedIn = page.getByTestId('signed-in-user');
  await signedIn
    .or(page.getByTestId('sign-in-page'))
    .or(page.getByTestId('first-admin-page'))
    .first()
    .waitFor({ timeout: 30_000 });
  if (await signedIn.isVisible()) {
    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-in-page').waitFor({ timeout: 30_000 });
  }
  await signInConsole(page, user);
}
